#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>

// The fake OpenAI upstream of tests/router/fake-upstream.js as a child process, with its control API.
class FakeUpstream {
public:
    ~FakeUpstream();
    // `environment`: extra NAME=VALUE pairs (TLS_CERT and TLS_KEY make it serve HTTPS).
    bool start(QString *error, const QStringList &environment = {});
    void stop();
    std::uint16_t port() const { return m_port; }
    QString baseUrl(const QString &prefix) const; // http://127.0.0.1:PORT<prefix>
    bool setBehaviours(const nlohmann::json &behaviours);
    bool reset();
    nlohmann::json stats();
    int requestsFor(const std::string &model);

private:
    std::unique_ptr<QProcess> m_process;
    std::uint16_t m_port = 0;
};

// The real routeledger-router executable as a child process, with its config and ledger in `dir`.
class RouterProcess {
public:
    explicit RouterProcess(QString dir) : m_dir(std::move(dir)) {}
    ~RouterProcess();

    QString dir() const { return m_dir; }
    bool writeFile(const QString &name, const QByteArray &contents);
    // Writes config.json and starts the router on it; waits for its "listening on" line.
    bool start(const nlohmann::json &config, QString *error, const QStringList &extraEnvironment = {});
    bool restart(QString *error); // same config, same ledger
    void kill();                  // SIGKILL
    int terminate(int timeoutMs); // SIGTERM; returns the exit code, or -1 when it did not exit in time
    qint64 pid() const { return m_process ? m_process->processId() : 0; }
    std::uint16_t port() const { return m_port; }
    bool running() const { return m_process && m_process->state() == QProcess::Running; }
    QByteArray standardError();
    int openFileDescriptors() const; // from /proc/PID/fd

private:
    QString m_dir;
    nlohmann::json m_config;
    QStringList m_environment;
    std::unique_ptr<QProcess> m_process;
    std::uint16_t m_port = 0;
    QByteArray m_stderr;
};

#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>

// A Node script from tests/ run as a child process that prints `listening <port>` when ready
// (tests/sources/fixture-server.js, tests/router/fake-upstream.js).
class NodeServer {
public:
    ~NodeServer() { stop(); }
    bool start(const QString &script, QString *error, const QStringList &environment = {});
    void stop();
    std::uint16_t port() const { return m_port; }
    QString url(const QString &path = {}) const { return "http://127.0.0.1:" + QString::number(m_port) + path; }

private:
    std::unique_ptr<QProcess> m_process;
    std::uint16_t m_port = 0;
};

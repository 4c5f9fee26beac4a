#include "routerprocess.h"

#include "httptestclient.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcessEnvironment>
#include <QRegularExpression>

#include <csignal>

namespace {

// Reads the child's stdout until a line matching `pattern` appears (its first capture is the port).
std::uint16_t waitForPort(QProcess &process, const QRegularExpression &pattern, int timeoutMs, QString *error)
{
    QElapsedTimer timer;
    timer.start();
    QByteArray seen;
    while (timer.elapsed() < timeoutMs) {
        if (process.state() != QProcess::Running && process.bytesAvailable() == 0) {
            *error = "process exited: " + QString::fromUtf8(process.readAllStandardError());
            return 0;
        }
        process.waitForReadyRead(100);
        seen += process.readAllStandardOutput();
        auto match = pattern.match(QString::fromUtf8(seen));
        if (match.hasMatch())
            return static_cast<std::uint16_t>(match.captured(1).toUInt());
    }
    *error = "timed out waiting for the port; output so far: " + QString::fromUtf8(seen) + " / "
             + QString::fromUtf8(process.readAllStandardError());
    return 0;
}

} // namespace

FakeUpstream::~FakeUpstream()
{
    stop();
}

bool FakeUpstream::start(QString *error, const QStringList &environment)
{
    m_process = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("PORT", "0");
    for (const QString &entry : environment)
        env.insert(entry.section('=', 0, 0), entry.section('=', 1));
    m_process->setProcessEnvironment(env);
    m_process->start("node", {QString(ROUTELEDGER_TEST_DATA) + "/router/fake-upstream.js"});
    if (!m_process->waitForStarted(5000)) {
        *error = "cannot start node: " + m_process->errorString();
        return false;
    }
    m_port = waitForPort(*m_process, QRegularExpression("listening (\\d+)"), 15000, error);
    return m_port != 0;
}

void FakeUpstream::stop()
{
    if (m_process && m_process->state() == QProcess::Running) {
        m_process->terminate();
        if (!m_process->waitForFinished(3000)) {
            m_process->kill();
            m_process->waitForFinished(3000);
        }
    }
    m_process.reset();
}

QString FakeUpstream::baseUrl(const QString &prefix) const
{
    return "http://127.0.0.1:" + QString::number(m_port) + prefix;
}

bool FakeUpstream::setBehaviours(const nlohmann::json &behaviours)
{
    HttpTestClient client(m_port);
    return client.post("/control/behaviours", behaviours.dump()).status == 200;
}

bool FakeUpstream::reset()
{
    HttpTestClient client(m_port);
    return client.post("/control/reset", "{}").status == 200;
}

nlohmann::json FakeUpstream::stats()
{
    HttpTestClient client(m_port);
    HttpReply reply = client.get("/control/stats");
    return nlohmann::json::parse(reply.body, nullptr, false);
}

int FakeUpstream::requestsFor(const std::string &model)
{
    nlohmann::json s = stats();
    if (!s.is_object() || !s["by_model"].is_object())
        return -1;
    return s["by_model"].value(model, 0);
}

RouterProcess::~RouterProcess()
{
    kill();
}

bool RouterProcess::writeFile(const QString &name, const QByteArray &contents)
{
    QFile file(m_dir + "/" + name);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(contents) == contents.size();
}

bool RouterProcess::start(const nlohmann::json &config, QString *error, const QStringList &extraEnvironment)
{
    m_config = config;
    m_environment = extraEnvironment;
    if (!writeFile("config.json", QByteArray::fromStdString(config.dump(2)))) {
        *error = "cannot write config.json in " + m_dir;
        return false;
    }
    return restart(error);
}

bool RouterProcess::restart(QString *error)
{
    kill();
    m_process = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &entry : m_environment)
        env.insert(entry.section('=', 0, 0), entry.section('=', 1));
    m_process->setProcessEnvironment(env);
    m_process->start(ROUTER_EXE, {"--config", m_dir + "/config.json"});
    if (!m_process->waitForStarted(5000)) {
        *error = "cannot start the router: " + m_process->errorString();
        return false;
    }
    m_port = waitForPort(*m_process, QRegularExpression("listening on [^:]+:(\\d+)"), 10000, error);
    return m_port != 0;
}

void RouterProcess::kill()
{
    if (m_process && m_process->state() == QProcess::Running) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    if (m_process)
        m_stderr += m_process->readAllStandardError();
    m_process.reset();
}

int RouterProcess::terminate(int timeoutMs)
{
    if (!m_process)
        return -1;
    ::kill(static_cast<pid_t>(m_process->processId()), SIGTERM);
    if (!m_process->waitForFinished(timeoutMs))
        return -1;
    m_stderr += m_process->readAllStandardError();
    int code = m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -2;
    m_process.reset();
    return code;
}

QByteArray RouterProcess::standardError()
{
    if (m_process) {
        // Without an event loop QProcess reads its pipes only inside waitFor…(): let it take what is there.
        m_process->waitForReadyRead(5);
        m_stderr += m_process->readAllStandardError();
    }
    return m_stderr;
}

int RouterProcess::openFileDescriptors() const
{
    if (!m_process)
        return -1;
    return static_cast<int>(QDir("/proc/" + QString::number(m_process->processId()) + "/fd")
                                .entryList(QDir::NoDotAndDotDot | QDir::System)
                                .size());
}

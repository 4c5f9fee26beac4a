#include "nodeserver.h"

#include <QElapsedTimer>
#include <QProcessEnvironment>
#include <QRegularExpression>

bool NodeServer::start(const QString &script, QString *error, const QStringList &environment)
{
    m_process = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("PORT", "0");
    for (const QString &entry : environment)
        env.insert(entry.section('=', 0, 0), entry.section('=', 1));
    m_process->setProcessEnvironment(env);
    m_process->start("node", {script});
    if (!m_process->waitForStarted(5000)) {
        *error = "cannot start node: " + m_process->errorString();
        return false;
    }
    QElapsedTimer timer;
    timer.start();
    QByteArray seen;
    const QRegularExpression pattern("listening (\\d+)");
    while (timer.elapsed() < 15000) {
        m_process->waitForReadyRead(100);
        seen += m_process->readAllStandardOutput();
        auto match = pattern.match(QString::fromUtf8(seen));
        if (match.hasMatch()) {
            m_port = static_cast<std::uint16_t>(match.captured(1).toUInt());
            return true;
        }
        if (m_process->state() != QProcess::Running)
            break;
    }
    *error = "no port from " + script + ": " + QString::fromUtf8(seen + m_process->readAllStandardError());
    return false;
}

void NodeServer::stop()
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

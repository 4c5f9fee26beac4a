#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <cstdio>

// The real `routeledger` executable (ROUTELEDGER_EXE) run once: its exit code (-1 when it crashed) and
// its output, for the tests of the headless commands.
struct CliRun {
    int code = -1;
    QString out;
    QString err;
};

inline CliRun runCli(const QStringList &args,
                     const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProgram(QStringLiteral(ROUTELEDGER_EXE));
    process.setArguments(args);
    process.setProcessEnvironment(environment);
    process.start();
    if (!process.waitForFinished(120000))
        qFatal("routeledger %s did not finish", qPrintable(args.join(' ')));
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()), QString::fromUtf8(process.readAllStandardError())};
}

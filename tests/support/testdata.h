#pragma once

#include <QDir>
#include <QFile>
#include <QString>
#include <QTest>

// Paths and small helpers shared by the test suites.
namespace testdata {

inline QString path(const QString &relative)
{
    return QStringLiteral(ROUTELEDGER_TEST_DATA "/") + relative;
}
inline QString sourcePath(const QString &relative)
{
    return QStringLiteral(ROUTELEDGER_SOURCE_DIR "/") + relative;
}

inline QByteArray read(const QString &file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read test data %s", qPrintable(file));
    return f.readAll();
}

// Sub-folders of a fixture folder, sorted, for data-driven tests.
inline QStringList folders(const QString &relative)
{
    return QDir(path(relative)).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
}

} // namespace testdata

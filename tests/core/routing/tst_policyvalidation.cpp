// Every folder under tests/core/routing/validation/ holds a policy.json and the exact lines that
// `routeledger validate-policy` prints for it: "valid" plus "warning: …" lines, or one "PATH: message" per error.
#include "testdata.h"
#include "testsuites.h"

#include "routing/policyparser.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

namespace {

QStringList linesFor(const rl::PolicyLoad &load)
{
    QStringList lines;
    if (!load.ok()) {
        for (const rl::PolicyIssue &issue : load.errors)
            lines << QString::fromStdString(issue.line());
        return lines;
    }
    lines << QStringLiteral("valid");
    for (const rl::PolicyIssue &issue : load.warnings)
        lines << QStringLiteral("warning: ") + QString::fromStdString(issue.line());
    return lines;
}

} // namespace

class TestPolicyValidation : public QObject {
    Q_OBJECT
private slots:
    void validation_data()
    {
        QTest::addColumn<QString>("folder");
        const QStringList cases = testdata::folders(QStringLiteral("core/routing/validation"));
        QVERIFY(cases.size() >= 20);
        for (const QString &name : cases)
            QTest::newRow(qPrintable(name)) << testdata::path(QStringLiteral("core/routing/validation/") + name);
    }

    void validation()
    {
        QFETCH(QString, folder);
        const rl::PolicyLoad load =
            rl::PolicyParser::parseFile((folder + QStringLiteral("/policy.json")).toStdString());
        const QStringList expected = QString::fromUtf8(testdata::read(folder + QStringLiteral("/expected.txt")))
                                         .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(linesFor(load), expected);
        // An invalid policy is never handed out.
        QCOMPARE(load.ok(), expected.first() == QLatin1String("valid"));
    }

    void oversizedFileIsRefusedBeforeReading()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("huge.json")).toStdString();
        {
            std::ofstream out(path, std::ios::binary);
            std::string chunk(1 << 20, ' ');
            for (int i = 0; i < 50; ++i)
                out << chunk;
        }
        const rl::PolicyLoad load = rl::PolicyParser::parseFile(path);
        QVERIFY(!load.ok());
        QCOMPARE(load.errors.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(load.errors.front().line()),
                 QStringLiteral("/: %1: file is 50.0 MiB; the limit is 4.0 MiB").arg(QString::fromStdString(path)));
    }

    void oversizedTextIsRefused()
    {
        const std::string text(rl::PolicyParser::kMaxDocumentBytes + 1, ' ');
        const rl::PolicyLoad load = rl::PolicyParser::parse(text);
        QVERIFY(!load.ok());
        QCOMPARE(QString::fromStdString(load.errors.front().message),
                 QStringLiteral("policy is 4.0 MiB; the limit is 4.0 MiB"));
    }

    void missingFileAndFolder()
    {
        rl::PolicyLoad load = rl::PolicyParser::parseFile("/nonexistent/policy.json");
        QVERIFY(!load.ok());
        QCOMPARE(QString::fromStdString(load.errors.front().message),
                 QStringLiteral("/nonexistent/policy.json: no such file; check the path"));
        QTemporaryDir dir;
        load = rl::PolicyParser::parseFile(dir.path().toStdString());
        QVERIFY(!load.ok());
        QVERIFY(
            QString::fromStdString(load.errors.front().message).endsWith(QStringLiteral("is a folder, not a file")));
    }

    void binaryGarbageIsAnError()
    {
        const std::string garbage("\x00\xff\xfe{\"schema\"\x01", 10);
        const rl::PolicyLoad load = rl::PolicyParser::parse(garbage);
        QVERIFY(!load.ok());
        QVERIFY(QString::fromStdString(load.errors.front().message).startsWith(QStringLiteral("not valid JSON")));
    }

    // Every problem at once: a document with errors in many places reports all of them.
    void reportsEveryProblemAtOnce()
    {
        const rl::PolicyLoad load = rl::PolicyParser::parse(R"({"schema":"x","name":"","version":-1,
            "tiers":[{"name":"a","models":["bad"]}],"default_tier":"b","rules":[{"id":"r","when":{"nope":{}},"then":{"tier":"c"}}]})");
        QVERIFY(!load.ok());
        QCOMPARE(load.errors.size(), std::size_t(7));
    }
};

ROUTELEDGER_TEST_SUITE(TestPolicyValidation)
#include "tst_policyvalidation.moc"

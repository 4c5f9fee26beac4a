// Serialization is canonical and stable: write(read(x)) is the golden canonical text, and reading and
// writing any valid policy a second time changes nothing.
#include "testdata.h"
#include "testsuites.h"

#include "routing/policyparser.h"
#include "routing/policywriter.h"

#include <QDirIterator>
#include <QTest>

namespace {

std::string canonical(const std::string &text)
{
    rl::PolicyLoad load = rl::PolicyParser::parse(text);
    if (!load.ok())
        return "INVALID: " + load.errors.front().line();
    return rl::PolicyWriter::toText(*load.policy);
}

} // namespace

class TestPolicyRoundTrip : public QObject {
    Q_OBJECT
private slots:
    void goldenCanonicalForm()
    {
        const std::string input =
            testdata::read(testdata::path(QStringLiteral("core/routing/canonical/input.json"))).toStdString();
        const std::string golden =
            testdata::read(testdata::path(QStringLiteral("core/routing/canonical/canonical.json"))).toStdString();
        QCOMPARE(QString::fromStdString(canonical(input)), QString::fromStdString(golden));
    }

    void stable_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("default-policy") << testdata::sourcePath(
            QStringLiteral("resources/policies/default-policy.json"));
        QDirIterator it(testdata::path(QStringLiteral("core/routing")), {QStringLiteral("policy.json")}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString file = it.next();
            if (rl::PolicyParser::parseFile(file.toStdString()).ok())
                QTest::newRow(qPrintable(QDir(testdata::path(QStringLiteral("core/routing"))).relativeFilePath(file)))
                    << file;
        }
    }

    void stable()
    {
        QFETCH(QString, file);
        const std::string first = canonical(testdata::read(file).toStdString());
        QVERIFY2(first.rfind("INVALID", 0) != 0, first.c_str());
        const std::string second = canonical(first);
        QCOMPARE(QString::fromStdString(second), QString::fromStdString(first));
        // The schema leads and the rules follow the tiers, whatever order the input had.
        QVERIFY(first.find("\"schema\"") < first.find("\"name\""));
        QVERIFY(first.find("\"tiers\"") < first.find("\"rules\""));
    }
};

ROUTELEDGER_TEST_SUITE(TestPolicyRoundTrip)
#include "tst_policyroundtrip.moc"

// Runs every folder under tests/core/deploy/diff/: the diff from a.json to b.json must give the lines of
// expected.txt and the list of expected.json. ROUTELEDGER_UPDATE_GOLDENS=1 rewrites the golden files from
// what the code gives (and skips, so a regenerating run never passes): review them with git diff.
#include "testdata.h"
#include "testsuites.h"

#include "deploy/policydiff.h"

#include <nlohmann/json.hpp>

#include <QTest>

using nlohmann::ordered_json;

namespace {

ordered_json readJson(const QString &file)
{
    const QByteArray bytes = testdata::read(file);
    return ordered_json::parse(bytes.constData(), bytes.constData() + bytes.size());
}

QString linesOf(const std::vector<rl::PolicyChange> &changes)
{
    QString out;
    for (const rl::PolicyChange &change : changes)
        out += QString::fromStdString(change.text) + QLatin1Char('\n');
    return out;
}

void writeGolden(const QString &file, const QString &text)
{
    QFile out(file);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(file));
    out.write(text.toUtf8());
}

} // namespace

class TestPolicyDiff : public QObject {
    Q_OBJECT
private slots:
    void golden_data()
    {
        QTest::addColumn<QString>("folder");
        const QStringList cases = testdata::folders(QStringLiteral("core/deploy/diff"));
        QVERIFY2(cases.size() >= 10, "the diff case folder went missing");
        for (const QString &name : cases)
            QTest::newRow(qPrintable(name)) << testdata::path(QStringLiteral("core/deploy/diff/") + name);
    }

    void golden()
    {
        QFETCH(QString, folder);
        const auto changes = rl::PolicyDiff::between(readJson(folder + QStringLiteral("/a.json")),
                                                     readJson(folder + QStringLiteral("/b.json")));
        const QString text = linesOf(changes);
        const QString json = QString::fromStdString(rl::PolicyDiff::toJson(changes).dump(2)) + QLatin1Char('\n');
        if (qEnvironmentVariableIsSet("ROUTELEDGER_UPDATE_GOLDENS")) {
            writeGolden(folder + QStringLiteral("/expected.txt"), text);
            writeGolden(folder + QStringLiteral("/expected.json"), json);
            QSKIP("golden files rewritten; review them and run again without ROUTELEDGER_UPDATE_GOLDENS");
        }
        QCOMPARE(text, QString::fromUtf8(testdata::read(folder + QStringLiteral("/expected.txt"))));
        QCOMPARE(json, QString::fromUtf8(testdata::read(folder + QStringLiteral("/expected.json"))));
        for (const rl::PolicyChange &change : changes) {
            QVERIFY2(change.kind == "added" || change.kind == "removed" || change.kind == "changed"
                         || change.kind == "moved",
                     change.kind.c_str());
            QVERIFY2(change.text.rfind(change.object, 0) == 0 || change.object == "document", change.text.c_str());
        }
    }

    // A document compared with itself has no changes, whatever it holds.
    void selfIsIdentical_data()
    {
        QTest::addColumn<QString>("file");
        for (const QString &name : testdata::folders(QStringLiteral("core/deploy/diff")))
            for (const char *side : {"a", "b"})
                QTest::newRow(qPrintable(name + QLatin1Char('/') + QLatin1String(side)))
                    << testdata::path(QStringLiteral("core/deploy/diff/%1/%2.json").arg(name, QLatin1String(side)));
    }

    void selfIsIdentical()
    {
        QFETCH(QString, file);
        const ordered_json document = readJson(file);
        QCOMPARE(linesOf(rl::PolicyDiff::between(document, document)), QString());
    }

    // Only the version differs: nothing to report.
    void versionIsIgnored()
    {
        ordered_json a = readJson(testdata::path(QStringLiteral("core/deploy/diff/identical/a.json")));
        ordered_json b = a;
        b["version"] = 99;
        b.erase("schema");
        b["schema"] = a["schema"]; // key order is not a change either
        QCOMPARE(linesOf(rl::PolicyDiff::between(a, b)), QString());
        b["version"] = "not a number";
        QCOMPARE(linesOf(rl::PolicyDiff::between(a, b)), QString());
    }

    // One rule moving across many is one line, not one per rule it passed.
    void oneMoveIsOneLine()
    {
        ordered_json a = readJson(testdata::path(QStringLiteral("core/deploy/diff/identical/a.json")));
        ordered_json rules = ordered_json::array();
        for (int i = 0; i < 50; ++i)
            rules.push_back(ordered_json{{"id", "r" + std::to_string(i)},
                                         {"when", {{"hour_utc", {{"eq", i % 24}}}}},
                                         {"then", {{"tier", "mid"}}}});
        a["rules"] = rules;
        ordered_json b = a;
        ordered_json moved = b["rules"][40];
        b["rules"].erase(40);
        b["rules"].insert(b["rules"].begin() + 2, moved);
        const auto changes = rl::PolicyDiff::between(a, b);
        QCOMPARE(changes.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(changes.front().text),
                 QStringLiteral("rule `r40` moved from position 41 to 3"));
        QCOMPARE(QString::fromStdString(changes.front().path), QStringLiteral("/rules/2"));
    }

    // Drafts may hold anything; the diff says what it can and never throws.
    void oddDocuments()
    {
        const ordered_json policy = readJson(testdata::path(QStringLiteral("core/deploy/diff/identical/a.json")));
        for (const char *text : {"null", "[]", "3", "\"policy\"", "{}", R"({"rules": 5, "tiers": {}})",
                                 R"({"rules": [null, 1, {"id": 2}], "budget_guard": [{}, 1], "budgets": [[]]})"}) {
            const ordered_json odd = ordered_json::parse(text);
            const auto forward = rl::PolicyDiff::between(policy, odd);
            const auto backward = rl::PolicyDiff::between(odd, policy);
            QVERIFY2(!forward.empty() && !backward.empty(), text);
            QVERIFY(rl::PolicyDiff::toJson(forward).size() == forward.size());
        }
    }
};

ROUTELEDGER_TEST_SUITE(TestPolicyDiff)
#include "tst_policydiff.moc"

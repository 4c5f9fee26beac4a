// Runs every folder under tests/core/routing/cases/: policy.json + request.json must give a decision whose
// JSON contains every key of expected.json with the same value (the trail item by item, key by key).
#include "testdata.h"
#include "testsuites.h"

#include "routing/decisionwriter.h"
#include "routing/policyparser.h"
#include "routing/requestreader.h"
#include "routing/routingengine.h"

#include <nlohmann/json.hpp>

#include <QTest>

using nlohmann::json;

namespace {

constexpr std::int64_t kFixedNow = 1767607200000; // 2026-01-05T10:00:00Z

// Every key of `expected` must be in `actual` with an equal value; arrays must have the same length.
QString firstDifference(const json &expected, const json &actual, const std::string &where)
{
    if (expected.is_object()) {
        if (!actual.is_object())
            return QString::fromStdString(where + ": expected an object, got " + actual.dump());
        for (const auto &[key, value] : expected.items()) {
            if (!actual.contains(key))
                return QString::fromStdString(where + "/" + key + ": missing in " + actual.dump());
            QString inner = firstDifference(value, actual.at(key), where + "/" + key);
            if (!inner.isEmpty())
                return inner;
        }
        return {};
    }
    if (expected.is_array()) {
        if (!actual.is_array() || actual.size() != expected.size())
            return QString::fromStdString(where + ": expected " + expected.dump() + ", got " + actual.dump());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            QString inner = firstDifference(expected[i], actual[i], where + "/" + std::to_string(i));
            if (!inner.isEmpty())
                return inner;
        }
        return {};
    }
    if (expected != actual)
        return QString::fromStdString(where + ": expected " + expected.dump() + ", got " + actual.dump());
    return {};
}

} // namespace

class TestPolicyCases : public QObject {
    Q_OBJECT
private slots:
    void decision_data()
    {
        QTest::addColumn<QString>("folder");
        const QStringList cases = testdata::folders(QStringLiteral("core/routing/cases"));
        QVERIFY2(cases.size() >= 100, "the case folder went missing");
        for (const QString &name : cases)
            QTest::newRow(qPrintable(name)) << testdata::path(QStringLiteral("core/routing/cases/") + name);
    }

    void decision()
    {
        QFETCH(QString, folder);
        const QByteArray policyText = testdata::read(folder + QStringLiteral("/policy.json"));
        rl::PolicyLoad load =
            rl::PolicyParser::parse(std::string_view(policyText.constData(), std::size_t(policyText.size())));
        QVERIFY2(load.ok(), load.errors.empty() ? "" : load.errors.front().line().c_str());

        const QByteArray body = testdata::read(folder + QStringLiteral("/request.json"));
        auto request =
            rl::RequestReader::fromText(std::string_view(body.constData(), std::size_t(body.size())), kFixedNow);
        QVERIFY2(request.ok(), request.ok() ? "" : request.error().message.c_str());

        rl::RoutingEngine engine;
        const rl::Decision decision = engine.decide(load.policy, request.value());
        const json actual = json::parse(rl::DecisionWriter::toJson(decision, request.value()).dump());
        const json expected = json::parse(testdata::read(folder + QStringLiteral("/expected.json")).toStdString());
        const QString problem = firstDifference(expected, actual, "");
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // The engine keeps the policy alive: a decision outlives the last other reference to its policy.
    void decisionOwnsPolicy()
    {
        auto load = rl::PolicyParser::parse(R"({"schema":"routeledger.policy/v1","name":"p","version":1,
            "tiers":[{"name":"only","models":["openai/gpt-5-nano"]}],"default_tier":"only"})");
        QVERIFY(load.ok());
        rl::RouteRequest request;
        request.prompt = "hi";
        request.scoredLength = 2;
        rl::Decision decision = rl::RoutingEngine().decide(load.policy, request);
        load.policy.reset();
        QCOMPARE(std::string(decision.model), std::string("openai/gpt-5-nano"));
        QCOMPARE(std::string(decision.tierName()), std::string("only"));
    }
};

ROUTELEDGER_TEST_SUITE(TestPolicyCases)
#include "tst_policycases.moc"

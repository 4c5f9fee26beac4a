// core/sources: the router connector's page reader (every malformed shape refused whole) and the
// poller (pages ingested with their cursor; a failing page leaves the store as it was).
#include "pricing/pricecatalog.h"
#include "servicepages.h"
#include "sources/routerusageconnector.h"
#include "sources/routerusagepagereader.h"
#include "sources/sourcecredential.h"
#include "sources/sourcekinds.h"
#include "sources/sourcepoller.h"
#include "store/usagestore.h"
#include "testsuites.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <deque>

using nlohmann::json;

namespace {

// Router events `from` … `from + count - 1` as the router writes them (fixture::routerEvent), each with 20 of its
// input tokens read from a cache.
json page(int from, int count, bool more)
{
    json p = fixture::routerPage(from, count, more);
    for (json &event : p["events"])
        event["cached_input_tokens"] = 20;
    return p;
}

// A connector that serves scripted pages (or errors) in order, as a source would.
class ScriptedConnector : public rl::UsageConnector {
public:
    std::deque<rl::Result<rl::SourcePage>> pages;
    std::vector<std::optional<std::string>> askedWith;
    std::string sourceName() const override { return "router-a"; }
    rl::Result<rl::SourcePage> fetch(const std::optional<std::string> &cursor) override
    {
        askedWith.push_back(cursor);
        if (pages.empty())
            return rl::Error{"test.empty", "no more scripted pages", false};
        auto next = std::move(pages.front());
        pages.pop_front();
        return next;
    }
};

std::int64_t eventCount(rl::UsageStore &store)
{
    auto count = store.database().prepare("SELECT COUNT(*) FROM usage_events");
    if (!count || !count->step())
        return -1;
    return count->int64(0);
}

} // namespace

class TestSources : public QObject {
    Q_OBJECT

private slots:
    // Each source type's connectors and their stored names; settings problems named with their fix.
    void sourceKinds_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("options");
        QTest::addColumn<QStringList>("connectors");
        QTest::newRow("router") << "router"
                                << "{}" << QStringList{"src"};
        QTest::newRow("litellm spend logs") << "litellm"
                                            << "{}" << QStringList{"src"};
        QTest::newRow("litellm team activity") << "litellm"
                                               << "{\"read\":\"team_activity\"}" << QStringList{"src"};
        QTest::newRow("openai") << "openai"
                                << "{}" << QStringList{"src", "src (costs)"};
        QTest::newRow("anthropic") << "anthropic"
                                   << "{}" << QStringList{"src", "src (costs)"};
        QTest::newRow("openrouter") << "openrouter"
                                    << "{}" << QStringList{"src"};
    }
    void sourceKinds()
    {
        QFETCH(QString, kind);
        QFETCH(QString, options);
        QFETCH(QStringList, connectors);
        const rl::SourceKindInfo *info = rl::SourceKinds::find(kind.toStdString());
        QVERIFY(info);
        rl::SourceSettings settings{"src", kind.toStdString(), info->defaultUrl, 300, false, options.toStdString(), 0,
                                    true};
        QVERIFY(rl::SourceKinds::problems(settings, true).empty());
        rl::HttpClient http;
        rl::Pricing pricing(rl::PriceCatalog::builtIn());
        auto made = rl::SourceKinds::connectors(settings, "secret", http, pricing);
        QVERIFY(made.ok());
        QStringList names;
        for (const auto &connector : made.value())
            names << QString::fromStdString(connector->sourceName());
        QCOMPARE(names, connectors);
    }
    void sourceSettingsProblems()
    {
        rl::SourceSettings bad{"a (b)", "gopher", "ftp://x", 5, false, "[1]", 0, true};
        const std::vector<std::string> problems = rl::SourceKinds::problems(bad, false);
        QCOMPARE(problems.size(), std::size_t(6));
        QVERIFY(problems[0].find("\" (\"") != std::string::npos);
        QVERIFY(problems[1].find("gopher") != std::string::npos);
        QVERIFY(problems[2].find("http://") != std::string::npos);
        QVERIFY(problems.back().find("keychain") != std::string::npos);
        bad = {"lite", "litellm", "http://proxy:4000", 60, false, "{\"read\":\"everything\"}", 0, true};
        QCOMPARE(rl::SourceKinds::problems(bad, true).size(), std::size_t(1));
        rl::HttpClient http;
        rl::Pricing pricing(rl::PriceCatalog::builtIn());
        bad.kind = "future";
        QCOMPARE(rl::SourceKinds::connectors(bad, "k", http, pricing).error().code, std::string("source.unknown_kind"));
    }

    // `routeledger sources add --key-env VAR` stores the variable's name; anything a shell cannot export
    // is refused with the fix named.
    void keyEnvironmentVariableNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("upper case") << "OPENAI_ADMIN_KEY" << true;
        QTest::newRow("leading underscore, digits") << "_key2" << true;
        QTest::newRow("one letter") << "K" << true;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("leading digit") << "1KEY" << false;
        QTest::newRow("dash") << "RL-KEY" << false;
        QTest::newRow("space") << "RL KEY" << false;
        QTest::newRow("equals") << "RL=KEY" << false;
        QTest::newRow("not ASCII") << "SCHLÜSSEL" << false;
    }
    void keyEnvironmentVariableNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(rl::SourceCredential::isVariableName(name.toStdString()), valid);
        rl::SourceSettings settings{"edge", "router", "http://127.0.0.1:8080",
                                    300,    false,    nlohmann::json{{"key_env", name.toStdString()}}.dump(),
                                    0,      true};
        const std::vector<std::string> problems = rl::SourceKinds::problems(settings, true);
        QCOMPARE(problems.size(), std::size_t(valid ? 0 : 1));
        if (!valid)
            QVERIFY2(problems[0].find("is not a valid name: use letters, digits and _") != std::string::npos,
                     problems[0].c_str());
    }

    // A source's key: the keychain by default, else read from its variable when it is polled.
    void keyFromAnEnvironmentVariable()
    {
        rl::SourceSettings settings{"edge", "router", "http://127.0.0.1:8080", 300, false, "{}", 0, true};
        QCOMPARE(rl::SourceCredential::origin(settings), std::string("keychain"));
        QVERIFY(!rl::SourceCredential::environmentVariable(settings));
        settings.options = R"({"key_env":"RL_TST_SOURCES_KEY"})";
        QCOMPARE(rl::SourceCredential::origin(settings), std::string("env:RL_TST_SOURCES_KEY"));
        qunsetenv("RL_TST_SOURCES_KEY");
        rl::Result<std::string> key = rl::SourceCredential::fromEnvironment(settings);
        QVERIFY(!key);
        QCOMPARE(key.error().code, std::string("source.key_env_unset"));
        QVERIFY2(key.error().message.rfind("the environment variable RL_TST_SOURCES_KEY is not set; export it", 0) == 0,
                 key.error().message.c_str());
        qputenv("RL_TST_SOURCES_KEY", "");
        key = rl::SourceCredential::fromEnvironment(settings);
        QVERIFY(!key);
        QVERIFY(key.error().message.find("RL_TST_SOURCES_KEY is empty") != std::string::npos);
        qputenv("RL_TST_SOURCES_KEY", "sk-admin-1");
        key = rl::SourceCredential::fromEnvironment(settings);
        QVERIFY(key);
        QCOMPARE(key.value(), std::string("sk-admin-1"));
        qunsetenv("RL_TST_SOURCES_KEY");
        settings.options = R"({"key_env":5})";
        QCOMPARE(rl::SourceKinds::problems(settings, true).size(), std::size_t(1));
        QCOMPARE(rl::SourceCredential::fromEnvironment(settings).error().code, std::string("source.key_env_invalid"));
    }

    void aRouterPageBecomesEvents()
    {
        auto parsed = rl::RouterUsageConnector::parsePage(page(11, 3, true).dump(), "router-a", 10);
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message.c_str());
        const rl::SourcePage &p = parsed.value();
        QCOMPARE(p.batch.source, std::string("router-a"));
        QCOMPARE(p.batch.sourceKind, std::string("router"));
        QCOMPARE(p.batch.cursor, std::optional<std::string>("13"));
        QVERIFY(p.hasMore);
        QCOMPARE(p.batch.events.size(), std::size_t(3));
        const rl::UsageEvent &e = p.batch.events[0];
        QCOMPARE(e.requestId, std::string("req-11"));
        QCOMPARE(e.team, std::string("legal"));
        QCOMPARE(e.tags, std::vector<std::string>{"prod"});
        QCOMPARE(e.model, std::string("openai/gpt-5-mini"));
        QCOMPARE(e.tier, std::string("mid"));
        QCOMPARE(e.tierRank, 1);
        QCOMPARE(e.policyVersion, std::int64_t(3));
        QCOMPARE(e.tokens.input, std::int64_t(100));
        QCOMPARE(e.tokens.cachedInput, std::int64_t(20));
        QCOMPARE(e.costMicro, std::int64_t(125));
        QCOMPARE(e.reportedCostMicro, std::optional<std::int64_t>(125));
        QCOMPARE(e.frontierCostMicro, std::int64_t(900));
        QCOMPARE(e.latencyMs, std::int64_t(420));
        QCOMPARE(e.status, rl::UsageStatus::Ok);
        QCOMPARE(e.complexity, std::optional<double>(0.4));
    }

    // The replay features and the shadow decision (router ledger schema 3) become the event's; an event without
    // them (an older router) has them unset, never false or zero.
    void aRouterPageCarriesReplayFeaturesAndTheShadowDecision()
    {
        json p = page(11, 2, false);
        json &event = p["events"][0];
        event["stream"] = true;
        event["has_tools"] = true;
        event["has_images"] = false;
        event["routed_input_tokens"] = 1234;
        event["budget_used"] = 0.93;
        event["prompt_checks"] = {{"0123456789abcdef", true}, {"fedcba9876543210", false}};
        event["routed_model"] = "openai/gpt-5";
        event["shadow_policy_version"] = 4;
        event["shadow_tier"] = "";
        event["shadow_model"] = "";
        event["shadow_rule"] = "no-secrets";
        event["shadow_blocked"] = true;
        event["shadow_cost_micro_usd"] = 0;
        auto parsed = rl::RouterUsageConnector::parsePage(p.dump(), "router-a", 10);
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message.c_str());
        const rl::UsageEvent &known = parsed->batch.events[0];
        QCOMPARE(known.features.stream, std::optional<bool>(true));
        QCOMPARE(known.features.hasTools, std::optional<bool>(true));
        QCOMPARE(known.features.hasImages, std::optional<bool>(false));
        QCOMPARE(known.features.inputTokens, std::optional<std::int64_t>(1234));
        QCOMPARE(known.features.budgetUsed, std::optional<double>(0.93));
        QVERIFY(known.features.promptChecks);
        QVERIFY((*known.features.promptChecks
                 == std::vector<rl::PromptCheck>{{"0123456789abcdef", true}, {"fedcba9876543210", false}}));
        QCOMPARE(known.routedModel, std::string("openai/gpt-5"));
        QVERIFY(known.shadow);
        QVERIFY((*known.shadow == rl::ShadowOutcome{4, "", "", "no-secrets", true, 0}));

        const rl::UsageEvent &older = parsed->batch.events[1];
        QCOMPARE(older.features.stream, std::optional<bool>(false)); // every router sent `stream`
        QCOMPARE(older.features.hasTools, std::optional<bool>());
        QCOMPARE(older.features.hasImages, std::optional<bool>());
        QCOMPARE(older.features.inputTokens, std::optional<std::int64_t>());
        QCOMPARE(older.features.budgetUsed, std::optional<double>());
        QVERIFY(!older.features.promptChecks);
        QVERIFY(older.routedModel.empty());
        QVERIFY(!older.shadow);

        // No prompt condition in the policies: known, and empty.
        p["events"][1]["prompt_checks"] = json::object();
        parsed = rl::RouterUsageConnector::parsePage(p.dump(), "router-a", 10);
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message.c_str());
        QVERIFY(parsed->batch.events[1].features.promptChecks);
        QVERIFY(parsed->batch.events[1].features.promptChecks->empty());
    }

    // Escalations and clients' feedback (routers since ledger schema 3): the feedback has its own cursor, kept in the
    // one cursor string as "E:F"; a page without feedback (an older router) keeps F, and a plain "E" (every cursor
    // stored before feedback) reads as F = 0.
    void aRouterPageCarriesFeedbackAndEscalations()
    {
        json p = page(11, 2, false);
        p["events"][0]["escalation_of"] = "rl-earlier-1";
        p["feedback"] = json::array({{{"cursor", "5"},
                                      {"request_id", "rl-earlier-1"},
                                      {"time_ms", 1795000000000},
                                      {"score", 0.25},
                                      {"comment", "wrong \"clause\""}},
                                     {{"cursor", "9"},
                                      {"request_id", "rl-other"},
                                      {"time_ms", 1795000001000},
                                      {"score", 1},
                                      {"thumbs", "up"},
                                      {"comment", ""},
                                      {"a_later_key", {{"nested", true}}}}});
        p["next_feedback_cursor"] = "9";
        p["feedback_has_more"] = true;
        auto parsed = rl::RouterUsageConnector::parsePage(p.dump(), "router-a", std::string("10:4"));
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message.c_str());
        QCOMPARE(parsed->batch.events[0].escalationOf, std::string("rl-earlier-1"));
        QVERIFY(parsed->batch.events[1].escalationOf.empty());
        QCOMPARE(parsed->batch.feedback.size(), std::size_t(2));
        QCOMPARE(parsed->batch.feedback[0],
                 (rl::FeedbackRecord{"rl-earlier-1", 1795000000000, 0.25, std::nullopt, "wrong \"clause\""}));
        QCOMPARE(parsed->batch.feedback[1], (rl::FeedbackRecord{"rl-other", 1795000001000, 1.0, true, ""}));
        QCOMPARE(parsed->batch.cursor, std::optional<std::string>("12:9"));
        QVERIFY(parsed->hasMore); // the feedback has more, the events do not

        // Feedback only: the events' cursor stays, the page is not "empty but more".
        json feedbackOnly = {{"events", json::array()},     {"next_cursor", "12"},
                             {"has_more", false},           {"feedback", json::array({p["feedback"][1]})},
                             {"next_feedback_cursor", "9"}, {"feedback_has_more", false}};
        feedbackOnly["feedback"][0]["cursor"] = "9";
        parsed = rl::RouterUsageConnector::parsePage(feedbackOnly.dump(), "router-a", std::string("12:6"));
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message.c_str());
        QCOMPARE(parsed->batch.cursor, std::optional<std::string>("12:9"));
        QVERIFY(!parsed->hasMore);

        // An older router: no feedback keys, the feedback cursor kept as it was.
        parsed = rl::RouterUsageConnector::parsePage(page(11, 2, false).dump(), "router-a", std::string("10:4"));
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message.c_str());
        QVERIFY(parsed->batch.feedback.empty());
        QCOMPARE(parsed->batch.cursor, std::optional<std::string>("12:4"));
        // A cursor of the old form is feedback 0, and is written in the old form while no feedback was read.
        parsed = rl::RouterUsageConnector::parsePage(page(11, 2, false).dump(), "router-a", std::string("10"));
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message.c_str());
        QCOMPARE(parsed->batch.cursor, std::optional<std::string>("12"));

        for (const char *bad : {"", "x", "10:", ":4", "10:4:1", "10:-4", "-1"}) {
            QVERIFY2(!rl::RouterUsagePageReader::Cursor::parse(bad), bad);
            parsed = rl::RouterUsageConnector::parsePage(page(11, 2, false).dump(), "router-a", std::string(bad));
            QVERIFY(!parsed.ok());
            QCOMPARE(QString::fromStdString(parsed.error().code), QStringLiteral("source.bad_cursor"));
        }
        auto cursor = rl::RouterUsagePageReader::Cursor::parse("7:3");
        QVERIFY(cursor);
        QCOMPARE(cursor->events, std::int64_t(7));
        QCOMPARE(cursor->feedback, std::int64_t(3));
        QCOMPARE(cursor->text(), std::string("7:3"));

        // A feedback cursor below the one asked for: the router's ledger was replaced.
        parsed = rl::RouterUsageConnector::parsePage(feedbackOnly.dump(), "router-a", std::string("12:20"));
        QVERIFY(!parsed.ok());
        QCOMPARE(QString::fromStdString(parsed.error().code), QStringLiteral("source.cursor_backwards"));
    }

    void anEmptyFinalPageIsFine()
    {
        auto parsed =
            rl::RouterUsageConnector::parsePage(R"({"events":[],"next_cursor":"10","has_more":false})", "router-a", 10);
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->batch.events.size(), std::size_t(0));
        QCOMPARE(parsed->batch.cursor, std::optional<std::string>("10"));
    }

    void malformedPagesAreRefusedWhole_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("names");
        auto broken = [](auto change) {
            json p = page(11, 3, false);
            change(p);
            return QByteArray::fromStdString(p.dump());
        };
        QTest::newRow("not JSON") << QByteArray("<html>502 Bad Gateway</html>") << "source.malformed"
                                  << "not JSON";
        QTest::newRow("truncated") << QByteArray(page(11, 3, false).dump().substr(0, 200).c_str()) << "source.malformed"
                                   << "not JSON";
        QTest::newRow("not an object") << QByteArray("[1,2]") << "source.malformed"
                                       << "not a JSON object";
        QTest::newRow("events missing") << broken([](json &p) { p.erase("events"); }) << "source.malformed"
                                        << "'events'";
        QTest::newRow("events renamed") << broken([](json &p) {
            p["items"] = p["events"];
            p.erase("events");
        }) << "source.malformed"
                                        << "'events'";
        QTest::newRow("next_cursor missing") << broken([](json &p) { p.erase("next_cursor"); }) << "source.malformed"
                                             << "next_cursor";
        QTest::newRow("has_more not a bool") << broken([](json &p) { p["has_more"] = "yes"; }) << "source.malformed"
                                             << "has_more";
        QTest::newRow("request_id missing")
            << broken([](json &p) { p["events"][1].erase("request_id"); }) << "source.malformed"
            << "event 1: 'request_id' is missing";
        QTest::newRow("tokens renamed") << broken([](json &p) {
            p["events"][2]["prompt_tokens"] = p["events"][2]["input_tokens"];
            p["events"][2].erase("input_tokens");
        }) << "source.malformed"
                                        << "event 2: 'input_tokens' is missing";
        QTest::newRow("negative cost") << broken([](json &p) { p["events"][0]["cost_micro_usd"] = -5; })
                                       << "source.malformed"
                                       << "'cost_micro_usd'";
        QTest::newRow("unknown status") << broken([](json &p) { p["events"][0]["status"] = "weird"; })
                                        << "source.malformed"
                                        << "unknown status 'weird'";
        QTest::newRow("cursors out of order")
            << broken([](json &p) { std::swap(p["events"][0], p["events"][1]); }) << "source.malformed"
            << "'cursor'";
        QTest::newRow("next_cursor is not the last")
            << broken([](json &p) { p["next_cursor"] = "99"; }) << "source.malformed"
            << "last event";
        QTest::newRow("has_tools not a bool")
            << broken([](json &p) { p["events"][1]["has_tools"] = "yes"; }) << "source.malformed"
            << "event 1: 'has_tools' is not true/false";
        QTest::newRow("stream not a bool")
            << broken([](json &p) { p["events"][0]["stream"] = 1; }) << "source.malformed"
            << "event 0: 'stream' is not true/false";
        QTest::newRow("routed_input_tokens negative")
            << broken([](json &p) { p["events"][0]["routed_input_tokens"] = -3; }) << "source.malformed"
            << "'routed_input_tokens' is not a whole number";
        QTest::newRow("budget_used a string")
            << broken([](json &p) { p["events"][0]["budget_used"] = "93%"; }) << "source.malformed"
            << "'budget_used' is not a number";
        QTest::newRow("budget_used negative")
            << broken([](json &p) { p["events"][0]["budget_used"] = -0.5; }) << "source.malformed"
            << "'budget_used' is not a number ≥ 0";
        QTest::newRow("prompt_checks a list")
            << broken([](json &p) { p["events"][2]["prompt_checks"] = json::array({"0123456789abcdef"}); })
            << "source.malformed"
            << "event 2: 'prompt_checks' is not an object";
        QTest::newRow("prompt_checks a string")
            << broken([](json &p) { p["events"][2]["prompt_checks"] = "0123456789abcdef=1"; }) << "source.malformed"
            << "event 2: 'prompt_checks' is not an object";
        QTest::newRow("a prompt check that is not a bool") << broken([](json &p) {
            p["events"][0]["prompt_checks"] = {{"0123456789abcdef", 1}};
        }) << "source.malformed"
                                                           << "'prompt_checks' holds a value that is not true/false";
        QTest::newRow("a prompt check that is an object") << broken([](json &p) {
            p["events"][0]["prompt_checks"] = {{"0123456789abcdef", {{"held", true}}}};
        }) << "source.malformed"
                                                          << "'prompt_checks' holds a value that is not true/false";
        QTest::newRow("a prompt check key that is not one") << broken([](json &p) {
            p["events"][0]["prompt_checks"] = {{"BEGIN PRIVATE KEY", true}};
        }) << "source.malformed"
                                                            << "'prompt_checks' has a key that is not a prompt check's";
        QTest::newRow("shadow fields in part") << broken([](json &p) {
            p["events"][1]["shadow_tier"] = "light";
            p["events"][1]["shadow_policy_version"] = 2;
        }) << "source.malformed"
                                               << "event 1: 'shadow_model' is missing";
        QTest::newRow("shadow_blocked not a bool") << broken([](json &p) {
            p["events"][0].update({{"shadow_policy_version", 2},
                                   {"shadow_tier", "light"},
                                   {"shadow_model", "m"},
                                   {"shadow_rule", "r"},
                                   {"shadow_blocked", "no"},
                                   {"shadow_cost_micro_usd", 1}});
        }) << "source.malformed"
                                                   << "'shadow_blocked' is not true/false";
        QTest::newRow("escalation_of not a string")
            << broken([](json &p) { p["events"][1]["escalation_of"] = 7; }) << "source.malformed"
            << "event 1: 'escalation_of' is not a string";
        auto withFeedback = [&broken](auto change) {
            return broken([&change](json &p) {
                p["feedback"] =
                    json::array({{{"cursor", "3"}, {"request_id", "rl-1"}, {"time_ms", 1795000000000}, {"score", 0.5}},
                                 {{"cursor", "4"}, {"request_id", "rl-2"}, {"time_ms", 1795000000001}, {"score", 0}}});
                p["next_feedback_cursor"] = "4";
                p["feedback_has_more"] = false;
                change(p);
            });
        };
        QTest::newRow("feedback not a list") << withFeedback([](json &p) {
            p["feedback"] = {{"cursor", "3"}};
        }) << "source.malformed"
                                             << "'feedback' is not a list";
        QTest::newRow("feedback a string")
            << withFeedback([](json &p) { p["feedback"] = "none"; }) << "source.malformed"
            << "'feedback' is not a list";
        QTest::newRow("a feedback that is not an object")
            << withFeedback([](json &p) { p["feedback"][1] = 0.5; }) << "source.malformed"
            << "feedback 1 is not an object";
        QTest::newRow("a feedback that is a list")
            << withFeedback([](json &p) { p["feedback"][0] = json::array({1}); }) << "source.malformed"
            << "feedback 0 is not an object";
        QTest::newRow("feedback score above 1")
            << withFeedback([](json &p) { p["feedback"][1]["score"] = 1.5; }) << "source.malformed"
            << "feedback 1: 'score' is not a number from 0 to 1";
        QTest::newRow("feedback score a string")
            << withFeedback([](json &p) { p["feedback"][0]["score"] = "good"; }) << "source.malformed"
            << "feedback 0: 'score' is not a number from 0 to 1";
        QTest::newRow("feedback score an object") << withFeedback([](json &p) {
            p["feedback"][0]["score"] = {{"value", 1}};
        }) << "source.malformed"
                                                  << "feedback 0: 'score' is not a single value";
        QTest::newRow("feedback thumbs sideways")
            << withFeedback([](json &p) { p["feedback"][0]["thumbs"] = "sideways"; }) << "source.malformed"
            << "feedback 0: 'thumbs' is not \"up\" or \"down\"";
        QTest::newRow("feedback comment a number")
            << withFeedback([](json &p) { p["feedback"][1]["comment"] = 3; }) << "source.malformed"
            << "feedback 1: 'comment' is not a string";
        QTest::newRow("feedback without request_id")
            << withFeedback([](json &p) { p["feedback"][1].erase("request_id"); }) << "source.malformed"
            << "feedback 1: 'request_id' is missing";
        QTest::newRow("feedback cursor not a cursor")
            << withFeedback([](json &p) { p["feedback"][0]["cursor"] = 3; }) << "source.malformed"
            << "feedback 0: 'cursor' is not a cursor";
        QTest::newRow("feedback cursors out of order")
            << withFeedback([](json &p) { std::swap(p["feedback"][0], p["feedback"][1]); }) << "source.malformed"
            << "feedback 1: 'cursor' is not above the one before it";
        QTest::newRow("next_feedback_cursor not the last")
            << withFeedback([](json &p) { p["next_feedback_cursor"] = "8"; }) << "source.malformed"
            << "'next_feedback_cursor' is not the last feedback's cursor";
        QTest::newRow("next_feedback_cursor missing")
            << withFeedback([](json &p) { p.erase("next_feedback_cursor"); }) << "source.malformed"
            << "'next_feedback_cursor' is missing";
        QTest::newRow("next_feedback_cursor a number")
            << withFeedback([](json &p) { p["next_feedback_cursor"] = 4; }) << "source.malformed"
            << "'next_feedback_cursor' is not a string";
        QTest::newRow("feedback_has_more missing")
            << withFeedback([](json &p) { p.erase("feedback_has_more"); }) << "source.malformed"
            << "'feedback_has_more' is missing";
        QTest::newRow("feedback_has_more a string")
            << withFeedback([](json &p) { p["feedback_has_more"] = "no"; }) << "source.malformed"
            << "'feedback_has_more' is not true/false";
        QTest::newRow("feedback list missing")
            << withFeedback([](json &p) { p.erase("feedback"); }) << "source.malformed"
            << "'feedback' is missing";
        QTest::newRow("no feedback but more") << withFeedback([](json &p) {
            p["feedback"] = json::array();
            p["next_feedback_cursor"] = "0";
            p["feedback_has_more"] = true;
        }) << "source.malformed"
                                              << "no feedback but says there is more";
        QTest::newRow("cursor goes backwards")
            << QByteArray(R"({"events":[],"next_cursor":"3","has_more":false})") << "source.cursor_backwards"
            << "reset";
        QTest::newRow("empty page that says there is more")
            << QByteArray(R"({"events":[],"next_cursor":"10","has_more":true})") << "source.malformed"
            << "no events";
    }
    void malformedPagesAreRefusedWhole()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        QFETCH(QString, names);
        auto parsed = rl::RouterUsageConnector::parsePage(body.toStdString(), "router-a", 10);
        QVERIFY(!parsed.ok());
        QCOMPARE(QString::fromStdString(parsed.error().code), code);
        QVERIFY2(parsed.error().message.find(names.toStdString()) != std::string::npos, parsed.error().message.c_str());
        QVERIFY(parsed.error().message.find("router-a") != std::string::npos);
    }

    void pollerIngestsPagesWithTheirCursor()
    {
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/store.db").toStdString());
        QVERIFY(store.ok());
        ScriptedConnector connector;
        for (int p = 0; p < 3; ++p)
            connector.pages.push_back(
                rl::RouterUsageConnector::parsePage(page(1 + p * 4, 4, p < 2).dump(), "router-a", p * 4));
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY(!report.error);
        QVERIFY(report.caughtUp);
        QCOMPARE(report.pages, std::size_t(3));
        QCOMPARE(report.inserted, std::size_t(12));
        QCOMPARE(eventCount(store.value()), std::int64_t(12));
        QCOMPARE(store->cursor("router-a").value(), std::optional<std::string>("12"));
        QCOMPARE(connector.askedWith[0], std::optional<std::string>());
        QCOMPARE(connector.askedWith[1], std::optional<std::string>("4"));
        QCOMPARE(connector.askedWith[2], std::optional<std::string>("8"));

        // A page served twice (a source retrying) adds nothing.
        connector.pages.push_back(rl::RouterUsageConnector::parsePage(page(9, 4, false).dump(), "router-a", 8));
        report = rl::SourcePoller::pollOnce(store.value(), connector);
        QCOMPARE(report.inserted, std::size_t(0));
        QCOMPARE(report.duplicates, std::size_t(4));
        QCOMPARE(eventCount(store.value()), std::int64_t(12));
    }

    void aFailingPageLeavesTheStoreAsItWas()
    {
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/store.db").toStdString());
        QVERIFY(store.ok());
        ScriptedConnector connector;
        connector.pages.push_back(rl::RouterUsageConnector::parsePage(page(1, 5, true).dump(), "router-a", 0));
        connector.pages.push_back(rl::Error{"http.server_error", "router-a failed (HTTP 502)", true});
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY(report.error);
        QCOMPARE(report.error->code, std::string("http.server_error"));
        QCOMPARE(report.pages, std::size_t(1));
        QCOMPARE(eventCount(store.value()), std::int64_t(5));
        QCOMPARE(store->cursor("router-a").value(), std::optional<std::string>("5"));
        // The next poll resumes after the last good page.
        connector.askedWith.clear();
        connector.pages.push_back(rl::RouterUsageConnector::parsePage(page(6, 2, false).dump(), "router-a", 5));
        report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY(!report.error);
        QCOMPARE(connector.askedWith[0], std::optional<std::string>("5"));
        QCOMPARE(eventCount(store.value()), std::int64_t(7));
    }
};

ROUTELEDGER_TEST_SUITE(TestSources)
#include "tst_sources.moc"

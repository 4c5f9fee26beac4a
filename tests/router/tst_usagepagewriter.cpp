// UsagePageWriter: a ledger page as the JSON of GET /admin/usage.
#include "testsuites.h"
#include "usagepagewriter.h"

#include <QTest>

#include <nlohmann/json.hpp>

#include <string>

class TestUsagePageWriter : public QObject {
    Q_OBJECT
private slots:
    void usagePageWriterWritesValidJson()
    {
        rl::LedgerPage page;
        rl::LedgerEvent event;
        event.cursor = 41;
        event.usage.requestId = "rl-1";
        event.usage.timeMs = 1795000000000;
        event.usage.team = "quote\" back\\slash \x01 caf\xc3\xa9 bad\xff";
        event.usage.tags = {"a", "b\nc"};
        event.usage.model = "openai/gpt-5";
        event.usage.tokens.input = 7;
        event.usage.costMicro = 12;
        event.usage.complexity = 0.25;
        event.usage.status = rl::UsageStatus::Fallback;
        event.attempts = {{"openai/gpt-5", "server_error", 503, 12}, {"openai/gpt-5-mini", "ok", 200, 30}};
        page.events = {event, event};
        page.events[1].cursor = 42;
        page.events[1].usage.complexity.reset();
        page.nextCursor = 42;
        page.hasMore = true;
        const std::string text = rl::UsagePageWriter::write(page);
        const nlohmann::json parsed = nlohmann::json::parse(text); // throws on invalid JSON or UTF-8
        QCOMPARE(parsed["next_cursor"].get<std::string>(), std::string("42"));
        QCOMPARE(parsed["has_more"].get<bool>(), true);
        QCOMPARE(parsed["events"].size(), std::size_t(2));
        const nlohmann::json &first = parsed["events"][0];
        QCOMPARE(first["cursor"].get<std::string>(), std::string("41"));
        QCOMPARE(first["team"].get<std::string>(), std::string("quote\" back\\slash \x01 caf\xc3\xa9 bad\xef\xbf\xbd"));
        QCOMPARE(first["tags"][1].get<std::string>(), std::string("b\nc"));
        QCOMPARE(first["status"].get<std::string>(), std::string("fallback"));
        QCOMPARE(first["complexity"].get<double>(), 0.25);
        QVERIFY(parsed["events"][1]["complexity"].is_null());
        QCOMPARE(first["attempts"][0]["http_status"].get<int>(), 503);
        QCOMPARE(first["input_tokens"].get<int>(), 7);
        QCOMPARE(first["cost_micro_usd"].get<int>(), 12);
    }

    // The replay features and the shadow decision (ledger schema 3) under their documented keys; what the ledger
    // does not know (an event from before schema 3, no shadow policy, no fallback) is left out, not written empty.
    void usagePageWriterWritesReplayFieldsWhenKnown()
    {
        rl::LedgerPage page;
        rl::LedgerEvent event;
        event.cursor = 7;
        event.usage.requestId = "rl-7";
        event.stream = true;
        rl::RoutingFeatures &f = event.usage.features;
        f.hasTools = true;
        f.hasImages = false;
        f.stream = true;
        f.inputTokens = 1234;
        f.budgetUsed = 0.93;
        f.promptChecks = std::vector<rl::PromptCheck>{{"0123456789abcdef", true}, {"fedcba9876543210", false}};
        event.usage.routedModel = "openai/gpt-5";
        event.usage.shadow = rl::ShadowOutcome{4, "light", "openai/gpt-5-nano", "easy \"one\"", false, 17};
        event.usage.escalationOf = "rl-6";
        page.events = {event, rl::LedgerEvent{}};
        page.events[1].cursor = 8;
        page.events[1].usage.requestId = "rl-8";
        const nlohmann::json parsed = nlohmann::json::parse(rl::UsagePageWriter::write(page));
        const nlohmann::json &known = parsed["events"][0];
        QCOMPARE(known["has_tools"], nlohmann::json(true));
        QCOMPARE(known["has_images"], nlohmann::json(false));
        QCOMPARE(known["stream"], nlohmann::json(true));
        QCOMPARE(known["routed_input_tokens"], nlohmann::json(1234));
        QCOMPARE(known["budget_used"].get<double>(), 0.93);
        QCOMPARE(known["prompt_checks"], nlohmann::json({{"0123456789abcdef", true}, {"fedcba9876543210", false}}));
        QCOMPARE(known["routed_model"], nlohmann::json("openai/gpt-5"));
        QCOMPARE(known["shadow_policy_version"], nlohmann::json(4));
        QCOMPARE(known["shadow_tier"], nlohmann::json("light"));
        QCOMPARE(known["shadow_model"], nlohmann::json("openai/gpt-5-nano"));
        QCOMPARE(known["shadow_rule"], nlohmann::json("easy \"one\""));
        QCOMPARE(known["shadow_blocked"], nlohmann::json(false));
        QCOMPARE(known["shadow_cost_micro_usd"], nlohmann::json(17));
        QCOMPARE(known["escalation_of"], nlohmann::json("rl-6"));
        const nlohmann::json &unknown = parsed["events"][1];
        for (const char *key : {"has_tools", "has_images", "routed_input_tokens", "budget_used", "prompt_checks",
                                "routed_model", "shadow_policy_version", "shadow_tier", "shadow_model", "shadow_rule",
                                "shadow_blocked", "shadow_cost_micro_usd", "escalation_of"})
            QVERIFY2(!unknown.contains(key), key);
        QVERIFY(!parsed.contains("feedback"));              // only when asked for
        QCOMPARE(unknown["stream"], nlohmann::json(false)); // always known
    }

    // Feedback (asked with feedback_after): its own list and cursor; thumbs only when the client sent thumbs.
    void usagePageWriterWritesFeedbackWhenAsked()
    {
        rl::LedgerPage page;
        page.nextCursor = 5;
        rl::FeedbackPage feedback;
        feedback.feedback.push_back({3, {"rl-1", 1795000000000, 0.75, std::nullopt, "fine \"mostly\"\nbad\xff"}});
        feedback.feedback.push_back({9, {"rl-2", 1795000001000, 0.0, false, ""}});
        feedback.nextCursor = 9;
        feedback.hasMore = true;
        page.feedback = feedback;
        const nlohmann::json parsed = nlohmann::json::parse(rl::UsagePageWriter::write(page));
        QCOMPARE(parsed["next_cursor"], nlohmann::json("5"));
        QCOMPARE(parsed["next_feedback_cursor"], nlohmann::json("9"));
        QCOMPARE(parsed["feedback_has_more"], nlohmann::json(true));
        QCOMPARE(parsed["feedback"].size(), std::size_t(2));
        const nlohmann::json &score = parsed["feedback"][0];
        QCOMPARE(score["cursor"], nlohmann::json("3"));
        QCOMPARE(score["request_id"], nlohmann::json("rl-1"));
        QCOMPARE(score["time_ms"], nlohmann::json(1795000000000));
        QCOMPARE(score["score"].get<double>(), 0.75);
        QVERIFY(!score.contains("thumbs"));
        QCOMPARE(score["comment"], nlohmann::json("fine \"mostly\"\nbad\xef\xbf\xbd"));
        QCOMPARE(parsed["feedback"][1]["thumbs"], nlohmann::json("down"));
        QCOMPARE(parsed["feedback"][1]["score"].get<double>(), 0.0);
    }
};

ROUTELEDGER_TEST_SUITE(TestUsagePageWriter)
#include "tst_usagepagewriter.moc"

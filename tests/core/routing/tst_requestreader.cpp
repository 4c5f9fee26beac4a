// OpenAI chat-completions bodies become RouteRequests; malformed ones give a clear error, never a crash.
#include "routing/policyparser.h"
#include "routing/requestreader.h"
#include "routing/routingengine.h"
#include "testsuites.h"

#include <QTest>

class TestRequestReader : public QObject {
    Q_OBJECT
private slots:
    void errors_data()
    {
        QTest::addColumn<QString>("body");
        QTest::addColumn<QString>("message");
        QTest::newRow("not json") << "{\"model\": "
                                  << "request body is not valid JSON; send an OpenAI chat-completions object";
        QTest::newRow("array") << "[]"
                               << "request body must be a JSON object, not an array";
        QTest::newRow("no messages") << R"({"model":"auto"})"
                                     << "request has no \"messages\"; send at least one message";
        QTest::newRow("empty messages") << R"({"messages":[]})"
                                        << "\"messages\" is empty; send at least one message";
        QTest::newRow("messages object") << R"({"messages":{}})"
                                         << "\"messages\" must be an array, not an object";
        QTest::newRow("message string") << R"({"messages":["hi"]})"
                                        << "messages[0] must be an object with role and content";
        QTest::newRow("no role") << R"({"messages":[{"content":"hi"}]})"
                                 << "messages[0] has no \"role\"";
        QTest::newRow("content number") << R"({"messages":[{"role":"user","content":5}]})"
                                        << "messages[0].content must be a string or an array of parts, not a number";
        QTest::newRow("model number") << R"({"model":5,"messages":[{"role":"user","content":"x"}]})"
                                      << "\"model\" must be a string: \"auto\", a tier name or a model id";
        QTest::newRow("stream string") << R"({"stream":"yes","messages":[{"role":"user","content":"x"}]})"
                                       << "\"stream\" must be true or false";
        QTest::newRow("budget negative")
            << R"({"messages":[{"role":"user","content":"x"}],"routeledger":{"budget_used":-1}})"
            << "routeledger.budget_used must be the fraction of the budget used, like 0.93";
        QTest::newRow("tags not strings")
            << R"({"messages":[{"role":"user","content":"x"}],"routeledger":{"tags":[1]}})"
            << "routeledger.tags must be an array of strings";
        QTest::newRow("bad task") << R"({"messages":[{"role":"user","content":"x"}],"routeledger":{"task":"poetry"}})"
                                  << "routeledger.task must be one of: chat, code, math, extraction, summarize, "
                                     "translate, creative, reasoning";
    }

    void errors()
    {
        QFETCH(QString, body);
        QFETCH(QString, message);
        auto request = rl::RequestReader::fromText(body.toStdString(), 0);
        QVERIFY(!request.ok());
        QCOMPARE(QString::fromStdString(request.error().message), message);
        QCOMPARE(QString::fromStdString(request.error().code), QStringLiteral("request.invalid"));
    }

    void multiPartMessagesAndTools()
    {
        auto request = rl::RequestReader::fromText(R"({"model":"mid","stream":true,"messages":[
            {"role":"system","content":"You are terse."},
            {"role":"user","content":[{"type":"text","text":"Describe"},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"this"}]},
            {"role":"assistant","content":null,"tool_calls":[{"id":"1","type":"function","function":{"name":"f","arguments":"{}"}}]},
            {"role":"tool","tool_call_id":"1","content":"42"},
            {"role":"user","content":"And now?"}],
            "routeledger":{"team":"eng","user":"ana","app":"ide","tags":["a","b"],"budget_used":0.5,"time_ms":1000}})",
                                                   0);
        QVERIFY(request.ok());
        const rl::RouteRequest &r = request.value();
        QCOMPARE(QString::fromStdString(r.prompt), QStringLiteral("You are terse.\nDescribe\nthis\n\n42\nAnd now?"));
        QCOMPARE(QString::fromStdString(std::string(r.scoredText())), QStringLiteral("And now?"));
        QCOMPARE(r.messageCount, std::size_t(5));
        QVERIFY(r.hasImages);
        QVERIFY(r.hasTools);
        QVERIFY(r.stream);
        QCOMPARE(QString::fromStdString(r.requestedModel), QStringLiteral("mid"));
        QCOMPARE(QString::fromStdString(r.team + "/" + r.user + "/" + r.app), QStringLiteral("eng/ana/ide"));
        QCOMPARE(r.tags.size(), std::size_t(2));
        QCOMPARE(r.budgetUsed, 0.5);
        QCOMPARE(r.timeMs, std::int64_t(1000));
    }

    void systemPromptAloneIsScored()
    {
        auto request =
            rl::RequestReader::fromText(R"({"messages":[{"role":"system","content":"Summarize the news"}]})", 0);
        QVERIFY(request.ok());
        QCOMPARE(QString::fromStdString(std::string(request->scoredText())), QStringLiteral("Summarize the news"));
        QCOMPARE(QString::fromStdString(request->requestedModel), QStringLiteral("auto"));
    }

    // A 20 MB prompt gets a decision: the token estimate grows with it and nothing crashes.
    void hugePromptGetsADecision()
    {
        std::string body = "{\"messages\":[{\"role\":\"user\",\"content\":\"";
        const std::string sentence = "The quick brown fox jumps over the lazy dog. ";
        while (body.size() < (20u << 20))
            body += sentence;
        body += "\"}]}";
        auto request = rl::RequestReader::fromText(body, 0);
        QVERIFY(request.ok());
        auto policy = rl::PolicyParser::parse(R"({"schema":"routeledger.policy/v1","name":"p","version":1,
            "tiers":[{"name":"big","models":["openai/gpt-5"]},{"name":"small","models":["openai/gpt-5-nano"]}],
            "default_tier":"small","rules":[{"id":"long","when":{"input_tokens":{"gt":1000000}},"then":{"tier":"big"}}]})");
        QVERIFY(policy.ok());
        const rl::Decision decision = rl::RoutingEngine().decide(policy.policy, request.value());
        QCOMPARE(std::string(decision.ruleId()), std::string("long"));
        QVERIFY(decision.inputTokens > 4'000'000);
        QVERIFY(decision.complexity >= 0.0 && decision.complexity <= 1.0);
    }
};

ROUTELEDGER_TEST_SUITE(TestRequestReader)
#include "tst_requestreader.moc"

// ChatRequest: a chat-completions body read and checked for routing and forwarding, with the structure
// limits that keep deeply nested or value-heavy bodies from reaching the serializer's recursion.
#include "chatrequest.h"
#include "testsuites.h"

#include <QtTest>

#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {

const std::int64_t kNow = 1'764'547'200'000;

std::string nestedArrays(int depth)
{
    return std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']');
}

std::string nestedObjects(int depth)
{
    std::string out;
    for (int i = 0; i < depth; ++i)
        out += "{\"a\":";
    out += "1";
    out += std::string(static_cast<std::size_t>(depth), '}');
    return out;
}

rl::Result<rl::ChatRequest> read(const std::string &body, const std::string &contentType = "application/json")
{
    return rl::ChatRequest::read(contentType, body, rl::ClientIdentity{"legal", "ana", "contracts", {"prod"}, 0.5, {}},
                                 kNow);
}

} // namespace

class TestChatRequest : public QObject {
    Q_OBJECT
private slots:
    // 80,000 levels crashed the router when the body was serialized again for the upstream; every shape and
    // place is now refused with the limit named, and 100 levels still go through untouched.
    void nestingIsBounded_data()
    {
        QTest::addColumn<QString>("body");
        QTest::addColumn<bool>("accepted");
        const std::string message = R"("messages":[{"role":"user","content":"hi"}])";
        QTest::newRow("arrays in an extra field")
            << QString::fromStdString("{" + message + ",\"x\":" + nestedArrays(80000) + "}") << false;
        QTest::newRow("objects in an extra field")
            << QString::fromStdString("{" + message + ",\"x\":" + nestedObjects(20000) + "}") << false;
        QTest::newRow("inside content") << QString::fromStdString(R"({"messages":[{"role":"user","content":)"
                                                                  + nestedArrays(80000) + "}]}")
                                        << false;
        QTest::newRow("inside a tool schema") << QString::fromStdString(
            "{" + message + R"(,"tools":[{"type":"function","function":{"name":"f","parameters":)" + nestedObjects(500)
            + "}}]}") << false;
        QTest::newRow("inside messages") << QString::fromStdString(R"({"messages":)" + nestedArrays(130) + "}")
                                         << false;
        QTest::newRow("100 levels in an extra field")
            << QString::fromStdString("{" + message + ",\"x\":" + nestedArrays(100) + "}") << true;
    }
    void nestingIsBounded()
    {
        QFETCH(QString, body);
        QFETCH(bool, accepted);
        auto chat = read(body.toStdString());
        QCOMPARE(chat.ok(), accepted);
        if (!accepted) {
            QCOMPARE(QString::fromStdString(chat.error().code), QStringLiteral("invalid_request"));
            QVERIFY2(
                QString::fromStdString(chat.error().message).contains(QStringLiteral("nesting deeper than 128 levels")),
                chat.error().message.c_str());
            return;
        }
        const json forwarded = json::parse(chat.value().upstreamBody("mid"));
        QCOMPARE(QString::fromStdString(forwarded["x"].dump()), QString::fromStdString(nestedArrays(100)));
    }

    void valueHeavyBodiesAreRefused()
    {
        std::string body = R"({"messages":[{"role":"user","content":"hi"}],"x":[)";
        for (int i = 0; i < 300000; ++i)
            body += i ? ",[]" : "[]";
        body += "]}";
        auto chat = read(body);
        QVERIFY(!chat.ok());
        QCOMPARE(QString::fromStdString(chat.error().code), QStringLiteral("invalid_request"));
        QVERIFY(QString::fromStdString(chat.error().message).contains(QStringLiteral("more than 250000 JSON values")));
    }

    void refusals_data()
    {
        QTest::addColumn<QString>("contentType");
        QTest::addColumn<QString>("body");
        QTest::addColumn<QString>("code");
        QTest::newRow("text/plain") << "text/plain"
                                    << R"({"messages":[]})"
                                    << "unsupported_media_type";
        QTest::newRow("not JSON") << "application/json"
                                  << "{nope"
                                  << "invalid_json";
        QTest::newRow("an array") << "application/json"
                                  << "[1]"
                                  << "invalid_json";
        QTest::newRow("no messages") << "application/json"
                                     << R"({"model":"auto"})"
                                     << "invalid_request";
        QTest::newRow("stream not a boolean") << "application/json"
                                              << R"({"stream":"yes","messages":[{"role":"user","content":"x"}]})"
                                              << "invalid_request";
    }
    void refusals()
    {
        QFETCH(QString, contentType);
        QFETCH(QString, body);
        QFETCH(QString, code);
        auto chat = read(body.toStdString(), contentType.toStdString());
        QVERIFY(!chat.ok());
        QCOMPARE(QString::fromStdString(chat.error().code), code);
        QVERIFY(!chat.error().message.empty());
    }

    void identityComesFromTheCallerNotTheBody()
    {
        auto chat = read(R"({"model":"auto","messages":[{"role":"user","content":"hi"}],)"
                         R"("routeledger":{"team":"spoofed","complexity":0.01,"input_tokens":3,"task":"code"}})",
                         "Application/JSON; charset=utf-8");
        QVERIFY(chat.ok());
        const rl::RouteRequest &route = chat.value().route;
        QCOMPARE(QString::fromStdString(route.team), QStringLiteral("legal"));
        QCOMPARE(QString::fromStdString(route.user), QStringLiteral("ana"));
        QCOMPARE(route.tags, std::vector<std::string>{"prod"});
        QCOMPARE(route.budgetUsed, 0.5);
        QCOMPARE(route.timeMs, kNow);
        QVERIFY(!route.complexity && !route.inputTokens && !route.task); // the router's own estimates
        const json forwarded = json::parse(chat.value().upstreamBody("gpt-5-mini"));
        QVERIFY(!forwarded.contains("routeledger"));
        QCOMPARE(QString::fromStdString(forwarded["model"].get<std::string>()), QStringLiteral("gpt-5-mini"));
    }

    // A stream asks the upstream for usage; the client that did not ask does not get the usage chunk.
    // An `include_usage` that is not true (even a string) counts as not asked, and never throws.
    void streamsAskForUsage_data()
    {
        QTest::addColumn<QString>("options");
        QTest::addColumn<bool>("suppressed");
        QTest::newRow("no options") << "" << true;
        QTest::newRow("asked") << R"(,"stream_options":{"include_usage":true})" << false;
        QTest::newRow("declined") << R"(,"stream_options":{"include_usage":false})" << true;
        QTest::newRow("a string") << R"(,"stream_options":{"include_usage":"yes"})" << true;
        QTest::newRow("options not an object") << R"(,"stream_options":7)" << true;
    }
    void streamsAskForUsage()
    {
        QFETCH(QString, options);
        QFETCH(bool, suppressed);
        auto chat = read(R"({"stream":true,"messages":[{"role":"user","content":"hi"}])" + options.toStdString() + "}");
        QVERIFY(chat.ok());
        QCOMPARE(chat.value().suppressUsageEvent, suppressed);
        const json forwarded = json::parse(chat.value().upstreamBody("m"));
        QCOMPARE(forwarded["stream_options"]["include_usage"], json(true));
    }

    // The document is built from the validated bytes and the upstream body splices the client's members as written:
    // both must mean what nlohmann's parse of the body means (repeated keys: the last wins; escaped keys are the keys
    // they decode to; numbers typed alike), with only model, routeledger and a stream's stream_options the router's.
    void documentAndUpstreamBodyMatchAParse_data()
    {
        QTest::addColumn<QString>("body");
        const std::string m = R"("messages":[{"role":"user","content":"hi"}])";
        QTest::newRow("plain") << QString::fromStdString("{\"model\":\"auto\"," + m + ",\"max_tokens\":16}");
        QTest::newRow("spaces and a BOM")
            << QString::fromStdString("\xEF\xBB\xBF { \"model\" : \"auto\" ,\n " + m + " , \"temperature\" : 0.70 } ");
        QTest::newRow("repeated keys") << QString::fromStdString("{\"model\":\"a\",\"x\":1," + m
                                                                 + ",\"x\":[2,{\"y\":3}],\"model\":\"b\"}");
        QTest::newRow("escaped keys and values")
            << QString::fromStdString("{\"mod\\u0065l\":\"auto\",\"routel\\u0065dger\":{\"team\":\"x\"}," + m
                                      + ",\"us\\u0065r\":\"\\u00e9\\ud83d\\ude00\\n\"}");
        QTest::newRow("numbers") << QString::fromStdString(
            "{" + m
            + R"(,"a":-0,"b":18446744073709551615,"c":18446744073709551616,)"
              R"("d":-9223372036854775809,"e":1.5e300,"f":-12,"g":3E-2})");
        QTest::newRow("routeledger twice")
            << QString::fromStdString("{\"routeledger\":{\"a\":1}," + m + ",\"routeledger\":{\"team\":\"y\"}}");
        QTest::newRow("stream without options") << QString::fromStdString("{\"stream\":true," + m + "}");
        QTest::newRow("stream with other options") << QString::fromStdString(
            "{\"stream\":true,\"stream_options\":{\"x\":1,\"include_usage\":false}," + m + "}");
        QTest::newRow("options without a stream")
            << QString::fromStdString("{\"stream_options\":{\"include_usage\":false}," + m + "}");
        QTest::newRow("unicode content") << QString::fromStdString(
            "{\"messages\":[{\"role\":\"user\",\"content\":\"caf\\u00e9 \xC3\xA9\xE2\x82\xAC \\\" \\\\ \\/ \\t\"}]}");
    }
    void documentAndUpstreamBodyMatchAParse()
    {
        QFETCH(QString, body);
        const std::string text = body.toStdString();
        auto chat = read(text);
        QVERIFY2(chat.ok(), chat.ok() ? "" : chat.error().message.c_str());
        json expected = json::parse(text);
        expected.erase("routeledger");
        if (expected.value("stream", false)) {
            json &options = expected["stream_options"];
            if (!options.is_object())
                options = json::object();
            options["include_usage"] = true;
        }
        QCOMPARE(QString::fromStdString(chat.value().body.dump()), QString::fromStdString(expected.dump()));
        expected["model"] = "provider-model";
        const json forwarded = json::parse(chat.value().upstreamBody("provider-model"));
        QCOMPARE(QString::fromStdString(forwarded.dump()), QString::fromStdString(expected.dump()));
    }

    // Invalid UTF-8 cannot arrive inside the parsed body (the parser refuses it), so the upstream body is
    // always valid; a refusal's message may quote raw bytes, and the HTTP layer repairs them.
    void invalidUtf8InTheBodyIsRefused()
    {
        auto chat = read("{\"messages\":[{\"role\":\"user\",\"content\":\"\xff\"}]}");
        QVERIFY(!chat.ok());
        QCOMPARE(QString::fromStdString(chat.error().code), QStringLiteral("invalid_json"));
    }
};

ROUTELEDGER_TEST_SUITE(TestChatRequest)
#include "tst_chatrequest.moc"

// End-to-end tests of routeledger-router: the real executable on loopback, in front of the fake upstream
// of tests/router/fake-upstream.js, driven over HTTP (and by the official `openai` npm client).
#include "digest.h"
#include "httptestclient.h"
#include "net/httpclient.h"
#include "routerprocess.h"
#include "sources/routerusageconnector.h"
#include "sources/sourcepoller.h"
#include "store/usagestore.h"
#include "waituntil.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using nlohmann::json;
using Headers = std::map<std::string, std::string>;

namespace {

const char *const kAdminToken = "test-admin-token-0123456789";
const char *const kLegalKey = "sk-legal-client";

json testPolicy(int version = 1)
{
    json policy = json::parse(R"({
      "schema": "routeledger.policy/v1",
      "name": "e2e",
      "version": 1,
      "tiers": [
        {"name": "frontier", "models": ["alpha/big", "beta/big2"]},
        {"name": "mid", "models": ["alpha/mid", "beta/mid2"]},
        {"name": "light", "models": ["alpha/small", "beta/small2"]}
      ],
      "default_tier": "mid",
      "rules": [
        {"id": "no-secrets", "when": {"prompt": {"matches": "BEGIN PRIVATE KEY"}},
         "then": {"block": "credentials in prompt"}},
        {"id": "legal-frontier", "when": {"team": {"in": ["legal"]}}, "then": {"tier": "frontier"}},
        {"id": "cheap-tag", "when": {"tag": {"eq": "cheap"}}, "then": {"tier": "light"}}
      ],
      "fallback": {"on": ["timeout", "rate_limited", "server_error"], "max_attempts": 3, "across_tiers": "down"}
    })");
    policy["version"] = version;
    return policy;
}

std::string chatBody(const std::string &model, const std::string &prompt = "Say hi", bool stream = false)
{
    json body = {{"model", model}, {"messages", json::array({{{"role", "user"}, {"content", prompt}}})}};
    if (stream)
        body["stream"] = true;
    return body.dump();
}

Headers admin()
{
    return {{"Authorization", std::string("Bearer ") + kAdminToken}};
}

// Reads every ledger event through the admin API, following the cursor.
std::vector<json> ledgerEvents(std::uint16_t port, int pageSize = 1000)
{
    std::vector<json> events;
    HttpTestClient client(port);
    std::string cursor = "0";
    for (int page = 0; page < 10000; ++page) {
        HttpReply reply = client.get("/admin/usage?after=" + cursor + "&limit=" + std::to_string(pageSize), admin());
        if (reply.status != 200)
            return events;
        json body = json::parse(reply.body);
        for (auto &event : body["events"])
            events.push_back(event);
        cursor = body["next_cursor"].get<std::string>();
        if (!body["has_more"].get<bool>())
            break;
    }
    return events;
}

// The ledger's events once it holds at least `count` (the group commit is asynchronous), or what it holds
// when the wait gives up.
std::vector<json> waitForLedger(std::uint16_t port, std::size_t count)
{
    std::vector<json> events;
    waitUntil([&] {
        events = ledgerEvents(port);
        return events.size() >= count;
    });
    return events;
}

// Whether the router's /metrics page has `line` (a whole sample: name, labels and value).
bool metricsShow(HttpTestClient &client, const std::string &line)
{
    return ("\n" + client.get("/metrics").body).find("\n" + line + "\n") != std::string::npos;
}

} // namespace

class TestRouterE2E : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    FakeUpstream m_upstream;
    std::unique_ptr<RouterProcess> m_router;
    int m_routerCount = 0;

    json config(const json &overrides = json::object())
    {
        json c = {{"listen", "127.0.0.1:0"},
                  {"admin_token_env", "RL_TEST_ADMIN_TOKEN"},
                  {"policy_file", "policy.json"},
                  {"ledger", "ledger.db"},
                  {"trust_identity_headers", true},
                  {"require_client_key", false},
                  {"max_body_bytes", 65536},
                  {"max_header_bytes", 8192},
                  {"threads", 2},
                  {"timeouts", {{"client_ms", 1000}, {"connect_ms", 1000}, {"first_byte_ms", 700}, {"idle_ms", 700}}},
                  {"group_commit_ms", 50},
                  {"shutdown_grace_ms", 5000},
                  {"breaker", {{"failure_threshold", 3}, {"open_ms", 1500}}},
                  {"providers",
                   {{{"name", "alpha"},
                     {"base_url", m_upstream.baseUrl("/a/v1").toStdString()},
                     {"api_key_env", "RL_TEST_ALPHA_KEY"},
                     {"models", {"alpha/big", "alpha/mid", "alpha/small"}}},
                    {{"name", "beta"},
                     {"base_url", m_upstream.baseUrl("/b/v1").toStdString()},
                     {"models", {"beta/big2", "beta/mid2", "beta/small2"}}}}},
                  {"clients",
                   {{{"key_sha256", rl::sha256Hex(kLegalKey)},
                     {"team", "legal"},
                     {"user", "ana"},
                     {"app", "contracts"},
                     {"tags", {"prod"}}}}}};
        for (auto it = overrides.begin(); it != overrides.end(); ++it)
            c[it.key()] = it.value();
        return c;
    }

    // A fresh router (new folder, new ledger) with `policy` and the config overrides.
    void startRouter(const json &overrides = json::object(), const json &policy = testPolicy())
    {
        QString folder = m_dir.path() + "/router" + QString::number(++m_routerCount);
        QVERIFY(QDir().mkpath(folder));
        m_router = std::make_unique<RouterProcess>(folder);
        QVERIFY(m_router->writeFile("policy.json", QByteArray::fromStdString(policy.dump(2))));
        QString error;
        QVERIFY2(
            m_router->start(config(overrides), &error,
                            {QString("RL_TEST_ADMIN_TOKEN=") + kAdminToken, "RL_TEST_ALPHA_KEY=sk-upstream-alpha"}),
            qPrintable(error));
    }

    std::uint16_t port() const { return m_router->port(); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(!QStandardPaths::findExecutable("node").isEmpty(), "node (Node 20) is needed for the fake upstream");
        QString error;
        QVERIFY2(m_upstream.start(&error), qPrintable(error));
        startRouter();
    }

    void init() { QVERIFY(m_upstream.reset()); }

    void cleanupTestCase()
    {
        if (m_router)
            m_router->kill();
        m_upstream.stop();
    }

    // --- serving ------------------------------------------------------------------------------------

    void jsonCompletionCarriesRoutingHeadersAndRewritesTheModel()
    {
        HttpTestClient client(port());
        HttpReply reply = client.post(
            "/v1/chat/completions",
            R"({"model":"auto","messages":[{"role":"user","content":"Say hi"}],"routeledger":{"team":"spoofed"}})",
            {{"X-RouteLedger-Team", "support"}});
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.header("x-routeledger-tier"), std::string("mid"));
        QCOMPARE(reply.header("x-routeledger-model"), std::string("alpha/mid"));
        QCOMPARE(reply.header("x-routeledger-rule"), std::string("default"));
        QCOMPARE(reply.header("x-routeledger-policy-version"), std::string("1"));
        QVERIFY(!reply.header("x-routeledger-request-id").empty());
        json body = json::parse(reply.body);
        QCOMPARE(body["choices"][0]["message"]["content"].get<std::string>(), std::string("reply from mid"));

        json stats = m_upstream.stats();
        json last = stats["last_requests"].back();
        QCOMPARE(last["path"].get<std::string>(), std::string("/a/v1/chat/completions"));
        QCOMPARE(last["body"]["model"].get<std::string>(), std::string("mid")); // provider/ prefix removed
        QVERIFY(!last["body"].contains("routeledger"));                         // the router's own object stripped
        QCOMPARE(last["authorization"].get<std::string>(), std::string("Bearer sk-upstream-alpha"));

        auto events = waitForLedger(port(), 1);
        QVERIFY(!events.empty());
        json event = events.back();
        QCOMPARE(event["team"].get<std::string>(), std::string("support")); // the trusted header, not the body
        QCOMPARE(event["model"].get<std::string>(), std::string("alpha/mid"));
        QCOMPARE(event["tier"].get<std::string>(), std::string("mid"));
        QCOMPARE(event["status"].get<std::string>(), std::string("ok"));
        QCOMPARE(event["input_tokens"].get<int>(), 12);
        QCOMPARE(event["output_tokens"].get<int>(), 11);
        QCOMPARE(event["request_id"].get<std::string>(), reply.header("x-routeledger-request-id"));
    }

    void requestedTierAndModelAreHonoured()
    {
        HttpTestClient client(port());
        HttpReply light = client.post("/v1/chat/completions", chatBody("light"));
        QCOMPARE(light.status, 200);
        QCOMPARE(light.header("x-routeledger-model"), std::string("alpha/small"));
        QCOMPARE(light.header("x-routeledger-rule"), std::string("requested-tier"));
        HttpReply pinned = client.post("/v1/chat/completions", chatBody("beta/big2"));
        QCOMPARE(pinned.status, 200);
        QCOMPARE(pinned.header("x-routeledger-model"), std::string("beta/big2"));
        QCOMPARE(pinned.header("x-routeledger-tier"), std::string("frontier"));
        HttpReply tagged = client.post("/v1/chat/completions", chatBody("auto"), {{"X-RouteLedger-Tags", "x, cheap"}});
        QCOMPARE(tagged.header("x-routeledger-rule"), std::string("cheap-tag"));
        QCOMPARE(tagged.header("x-routeledger-tier"), std::string("light"));
    }

    void streamingPassesChunksAndBillsTheUsageChunk_data()
    {
        QTest::addColumn<bool>("clientAsksUsage");
        QTest::newRow("client did not ask for usage") << false;
        QTest::newRow("client asked for usage") << true;
    }
    void streamingPassesChunksAndBillsTheUsageChunk()
    {
        QFETCH(bool, clientAsksUsage);
        QVERIFY(m_upstream.setBehaviours({{"mid",
                                           {{"behaviour", "ok"},
                                            {"usage",
                                             {{"prompt_tokens", 40},
                                              {"completion_tokens", 7},
                                              {"prompt_tokens_details", {{"cached_tokens", 10}}}}}}}}));
        json body = json::parse(chatBody("auto", "Say hi", true));
        if (clientAsksUsage)
            body["stream_options"] = {{"include_usage", true}};
        startRouter();
        const std::size_t before = 0;
        HttpTestClient client(port());
        HttpReply reply = client.post("/v1/chat/completions", body.dump());
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.header("transfer-encoding"), std::string("chunked"));
        QVERIFY(reply.header("content-type").rfind("text/event-stream", 0) == 0);
        QCOMPARE(reply.header("x-routeledger-model"), std::string("alpha/mid"));
        QVERIFY(reply.body.find("data: [DONE]") != std::string::npos);
        // The usage-only chunk reaches the client only when it asked for it.
        QCOMPARE(reply.body.find("\"choices\":[]") != std::string::npos, clientAsksUsage);
        // The upstream was asked for usage either way, so the ledger can bill the stream.
        json last = m_upstream.stats()["last_requests"].back();
        QCOMPARE(last["include_usage"].get<bool>(), true);
        auto events = waitForLedger(port(), before + 1);
        QCOMPARE(events.size(), before + 1);
        QCOMPARE(events.back()["stream"].get<bool>(), true);
        QCOMPARE(events.back()["input_tokens"].get<int>(), 30);
        QCOMPARE(events.back()["cached_input_tokens"].get<int>(), 10);
        QCOMPARE(events.back()["output_tokens"].get<int>(), 7);
    }

    void streamIsForwardedAsItArrives()
    {
        // 600 ms between upstream chunks (the last arrives after 3 s): the first bytes must reach the
        // client long before the last.
        QVERIFY(m_upstream.setBehaviours({{"mid", {{"behaviour", "ok"}, {"chunk_delay_ms", 600}}}}));
        std::string request = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              "Connection: close\r\nContent-Length: ";
        std::string body = chatBody("auto", "Say hi", true);
        request += std::to_string(body.size()) + "\r\n\r\n" + body;
        // Read only until the first event is in (the deadline just bounds a failure): a router that held the
        // stream back would hand over the first event together with the last and [DONE].
        std::string early = rawExchange(port(), request, std::chrono::seconds(10), nullptr, [](const std::string &in) {
            return in.find("\"role\":\"assistant\"") != std::string::npos;
        });
        QVERIFY2(early.find("HTTP/1.1 200") == 0, early.c_str());
        QVERIFY(early.find("\"role\":\"assistant\"") != std::string::npos);
        QVERIFY(early.find("[DONE]") == std::string::npos);
    }

    void clientKeysGiveIdentity()
    {
        startRouter({{"require_client_key", true}, {"trust_identity_headers", false}});
        HttpTestClient client(port());
        HttpReply known =
            client.post("/v1/chat/completions", chatBody("auto"),
                        {{"Authorization", std::string("Bearer ") + kLegalKey}, {"X-RouteLedger-Team", "x"}});
        QCOMPARE(known.status, 200);
        QCOMPARE(known.header("x-routeledger-rule"), std::string("legal-frontier"));
        QCOMPARE(known.header("x-routeledger-model"), std::string("alpha/big"));
        HttpReply unknown =
            client.post("/v1/chat/completions", chatBody("auto"), {{"Authorization", "Bearer sk-nope"}});
        QCOMPARE(unknown.status, 401);
        QCOMPARE(json::parse(unknown.body)["error"]["code"].get<std::string>(), std::string("invalid_api_key"));
        HttpReply missing = client.post("/v1/chat/completions", chatBody("auto"));
        QCOMPARE(missing.status, 401);
        QCOMPARE(json::parse(missing.body)["error"]["code"].get<std::string>(), std::string("missing_api_key"));
        auto events = waitForLedger(port(), 1);
        QCOMPARE(events.size(), std::size_t(1)); // refused requests are not usage
        QCOMPARE(events[0]["team"].get<std::string>(), std::string("legal"));
        QCOMPARE(events[0]["user"].get<std::string>(), std::string("ana"));
        QCOMPARE(events[0]["app"].get<std::string>(), std::string("contracts"));
        QCOMPARE(events[0]["tags"], json({"prod"}));
        // The scheme in any case, spaces around the key: read as the admin API reads its token.
        HttpReply loose = client.post("/v1/chat/completions", chatBody("auto"),
                                      {{"Authorization", std::string("bearer  ") + kLegalKey + " "}});
        QCOMPARE(loose.status, 200);
        QCOMPARE(loose.header("x-routeledger-rule"), std::string("legal-frontier"));
        startRouter();
    }

    void identityHeadersThatAreNotUtf8AreCleaned()
    {
        startRouter();
        HttpTestClient client(port());
        HttpReply reply = client.post("/v1/chat/completions", chatBody("auto"),
                                      {{"X-RouteLedger-Team", "caf\xe9-\xff\xfe"},
                                       {"X-RouteLedger-Tags", "ok, \xc3\x28"
                                                              "bad"}});
        QCOMPARE(reply.status, 200);
        auto events = waitForLedger(port(), 1); // the page is valid JSON
        QCOMPARE(events.size(), std::size_t(1));
        QCOMPARE(events[0]["team"].get<std::string>(), std::string("caf\xef\xbf\xbd-\xef\xbf\xbd\xef\xbf\xbd"));
        QCOMPARE(events[0]["tags"].size(), std::size_t(2));
        QVERIFY(m_router->running());
        startRouter();
    }

    void blockedRequestGetsAnOpenAiError()
    {
        HttpTestClient client(port());
        const int before = m_upstream.stats()["requests"].get<int>();
        HttpReply reply =
            client.post("/v1/chat/completions", chatBody("auto", "here: -----BEGIN PRIVATE KEY----- abc"));
        QCOMPARE(reply.status, 403);
        json error = json::parse(reply.body)["error"];
        QCOMPARE(error["code"].get<std::string>(), std::string("blocked_by_policy"));
        QVERIFY(error["message"].get<std::string>().find("credentials in prompt") != std::string::npos);
        QCOMPARE(reply.header("x-routeledger-rule"), std::string("no-secrets"));
        QCOMPARE(m_upstream.stats()["requests"].get<int>(), before); // never sent upstream
        auto events = waitForLedger(port(), 1);
        QCOMPARE(events.back()["status"].get<std::string>(), std::string("blocked"));
    }

    void modelsListsAutoTiersAndModels()
    {
        HttpTestClient client(port());
        HttpReply reply = client.get("/v1/models");
        QCOMPARE(reply.status, 200);
        std::set<std::string> ids;
        const json models = json::parse(reply.body);
        for (const auto &model : models["data"])
            ids.insert(model["id"].get<std::string>());
        for (const char *id : {"auto", "frontier", "mid", "light", "alpha/big", "beta/small2"})
            QVERIFY2(ids.count(id) == 1, id);
    }

    // --- bad input -----------------------------------------------------------------------------------

    void badRequestsGetClearErrors_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::newRow("malformed JSON") << QByteArray("{\"model\": \"auto\", ") << QByteArray("application/json") << 400
                                        << "invalid_json";
        QTest::newRow("not an object") << QByteArray("[1,2]") << QByteArray("application/json") << 400
                                       << "invalid_json";
        QTest::newRow("missing messages")
            << QByteArray("{\"model\":\"auto\"}") << QByteArray("application/json") << 400 << "invalid_request";
        QTest::newRow("wrong content type")
            << QByteArray(chatBody("auto").c_str()) << QByteArray("text/plain") << 415 << "unsupported_media_type";
        QTest::newRow("unknown provider model") << QByteArray(chatBody("nosuch/model").c_str())
                                                << QByteArray("application/json") << 404 << "model_not_found";
        QTest::newRow("body over max_body_bytes") << QByteArray(chatBody("auto", std::string(70000, 'x')).c_str())
                                                  << QByteArray("application/json") << 413 << "request_too_large";
        // Big enough that the client is still sending when the router refuses: it must still see the 413.
        QTest::newRow("8 MB body") << QByteArray(chatBody("auto", std::string(8u << 20, 'x')).c_str())
                                   << QByteArray("application/json") << 413 << "request_too_large";
    }
    void badRequestsGetClearErrors()
    {
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, contentType);
        QFETCH(int, status);
        QFETCH(QString, code);
        HttpTestClient client(port());
        HttpReply reply =
            client.post("/v1/chat/completions", body.toStdString(), {{"Content-Type", contentType.toStdString()}});
        QVERIFY2(reply.transportOk, reply.transportError.c_str());
        QCOMPARE(reply.status, status);
        json error = json::parse(reply.body)["error"];
        QCOMPARE(QString::fromStdString(error["code"].get<std::string>()), code);
        QVERIFY(error["message"].get<std::string>().size() > 20); // says what is wrong
        QCOMPARE(m_upstream.stats()["requests"].get<int>(), 0);
    }

    void malformedHttpAndHeaderFloodsAreRefused()
    {
        bool closed = false;
        std::string garbage = rawExchange(port(), "HELLO THERE\r\n\r\n", std::chrono::milliseconds(2000), &closed);
        QVERIFY2(garbage.rfind("HTTP/1.1 400", 0) == 0, garbage.c_str());
        QVERIFY(closed);
        std::string flood = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
        for (int i = 0; i < 400; ++i)
            flood += "X-Flood-" + std::to_string(i) + ": " + std::string(40, 'a') + "\r\n";
        flood += "\r\n";
        std::string answer = rawExchange(port(), flood, std::chrono::milliseconds(2000), &closed);
        QVERIFY2(answer.rfind("HTTP/1.1 431", 0) == 0, answer.substr(0, 80).c_str());
    }

    void slowAndStalledClientsAreCutOff()
    {
        // Half a request line, then silence: the router closes the connection after client_ms (1 s), well
        // inside the exchange's own 10 s deadline (closed stays false when the deadline ends it instead).
        bool closed = false;
        std::string answer = rawExchange(port(), "POST /v1/chat/comp", std::chrono::seconds(10), &closed);
        QVERIFY2(closed, "the stalled connection was not closed");
        QVERIFY(answer.empty()); // nobody to answer: a half request line gets no response
        // An idle keep-alive connection is closed the same way.
        answer = rawExchange(port(), "", std::chrono::seconds(10), &closed);
        QVERIFY(closed);
        QVERIFY(answer.empty());
    }

    // --- upstream faults, fallbacks and breakers ----------------------------------------------------------

    void upstreamFaultsFallBack_data()
    {
        QTest::addColumn<QString>("behaviour");
        QTest::addColumn<QString>("outcome");
        QTest::newRow("503") << "status:503"
                             << "server_error";
        QTest::newRow("500") << "status:500"
                             << "server_error";
        QTest::newRow("429") << "status:429"
                             << "rate_limited";
        QTest::newRow("hang (first-byte timeout)") << "hang"
                                                   << "timeout";
        QTest::newRow("connection reset") << "reset"
                                          << "server_error";
        QTest::newRow("reset mid body") << "reset_mid_body"
                                        << "server_error";
        QTest::newRow("garbage body") << "garbage"
                                      << "server_error";
        QTest::newRow("HTML 502") << "html_502"
                                  << "server_error";
    }
    void upstreamFaultsFallBack()
    {
        QFETCH(QString, behaviour);
        QFETCH(QString, outcome);
        startRouter(); // fresh breakers
        QVERIFY(m_upstream.setBehaviours({{"mid", behaviour.toStdString()}}));
        HttpTestClient client(port());
        HttpReply reply = client.post("/v1/chat/completions", chatBody("auto"));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.header("x-routeledger-model"), std::string("beta/mid2")); // the next model of the tier
        QCOMPARE(reply.header("x-routeledger-attempts"), std::string("2"));
        auto events = waitForLedger(port(), 1);
        QCOMPARE(events.size(), std::size_t(1));
        QCOMPARE(events[0]["status"].get<std::string>(), std::string("fallback"));
        QCOMPARE(events[0]["attempts"].size(), std::size_t(2));
        QCOMPARE(QString::fromStdString(events[0]["attempts"][0]["outcome"].get<std::string>()), outcome);
        QCOMPARE(events[0]["attempts"][1]["outcome"].get<std::string>(), std::string("ok"));
    }

    void fallbackCrossesTiersDownAndStopsAtMaxAttempts()
    {
        startRouter();
        QVERIFY(m_upstream.setBehaviours({{"mid", "status:503"}, {"mid2", "status:503"}, {"small", "status:503"}}));
        HttpTestClient client(port());
        HttpReply reply = client.post("/v1/chat/completions", chatBody("auto"));
        // Three attempts (max_attempts 3): mid, mid2, then the light tier's first model, which fails too.
        QCOMPARE(reply.status, 503);
        QCOMPARE(json::parse(reply.body)["error"]["message"].get<std::string>(),
                 std::string("fake upstream status 503"));
        QCOMPARE(m_upstream.requestsFor("small2"), 0);
        auto events = waitForLedger(port(), 1);
        QCOMPARE(events[0]["status"].get<std::string>(), std::string("error"));
        QCOMPARE(events[0]["attempts"].size(), std::size_t(3));
        QCOMPARE(events[0]["attempts"][2]["model"].get<std::string>(), std::string("alpha/small"));

        QVERIFY(m_upstream.setBehaviours({{"small", "ok"}}));
        reply = client.post("/v1/chat/completions", chatBody("auto"));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.header("x-routeledger-tier"), std::string("light"));
    }

    void fallbackOnlyOnTheListedReasons()
    {
        json policy = testPolicy();
        policy["fallback"]["on"] = {"timeout"};
        startRouter({}, policy);
        QVERIFY(m_upstream.setBehaviours({{"mid", "status:503"}}));
        HttpTestClient client(port());
        HttpReply reply = client.post("/v1/chat/completions", chatBody("auto"));
        QCOMPARE(reply.status, 503);
        QCOMPARE(m_upstream.requestsFor("mid2"), 0);
        // A client error is the client's: passed through, no fallback, whatever the policy says.
        startRouter();
        QVERIFY(m_upstream.setBehaviours({{"mid", "status:400"}}));
        HttpTestClient second(port());
        reply = second.post("/v1/chat/completions", chatBody("auto"));
        QCOMPARE(reply.status, 400);
        QCOMPARE(m_upstream.requestsFor("mid2"), 0);
    }

    void circuitBreakerOpensAndProbes()
    {
        startRouter({{"breaker", {{"failure_threshold", 2}, {"open_ms", 1200}}}});
        QVERIFY(m_upstream.setBehaviours({{"mid", "status:503"}}));
        HttpTestClient client(port());
        for (int i = 0; i < 2; ++i)
            QCOMPARE(client.post("/v1/chat/completions", chatBody("auto")).status, 200); // via mid2
        QCOMPARE(m_upstream.requestsFor("mid"), 2);
        // Open: mid is skipped without a request.
        for (int i = 0; i < 3; ++i) {
            HttpReply reply = client.post("/v1/chat/completions", chatBody("auto"));
            QCOMPARE(reply.status, 200);
            QCOMPARE(reply.header("x-routeledger-model"), std::string("beta/mid2"));
        }
        QCOMPARE(m_upstream.requestsFor("mid"), 2);
        HttpReply metrics = client.get("/metrics");
        QVERIFY(metrics.body.find("routeledger_circuit_open{model=\"alpha/mid\"} 1") != std::string::npos);
        auto events = waitForLedger(port(), 5);
        QCOMPARE(events.back()["attempts"][0]["outcome"].get<std::string>(), std::string("circuit_open"));
        // Once open_ms has passed the breaker is half-open (its gauge reads 0.5) and one probe goes through;
        // it succeeds and the breaker closes.
        QVERIFY(m_upstream.setBehaviours({{"mid", "ok"}}));
        QVERIFY(waitUntil([&] { return metricsShow(client, "routeledger_circuit_open{model=\"alpha/mid\"} 0.5"); }));
        HttpReply probe = client.post("/v1/chat/completions", chatBody("auto"));
        QCOMPARE(probe.header("x-routeledger-model"), std::string("alpha/mid"));
        QCOMPARE(m_upstream.requestsFor("mid"), 3);
        HttpReply after = client.post("/v1/chat/completions", chatBody("auto"));
        QCOMPARE(after.header("x-routeledger-model"), std::string("alpha/mid"));
    }

    void allBreakersOpenGivesRetryAfter()
    {
        json policy = testPolicy();
        policy["fallback"]["across_tiers"] = "none";
        startRouter({{"breaker", {{"failure_threshold", 1}, {"open_ms", 5000}}}}, policy);
        QVERIFY(m_upstream.setBehaviours({{"mid", "status:500"}, {"mid2", "status:500"}}));
        HttpTestClient client(port());
        QCOMPARE(client.post("/v1/chat/completions", chatBody("auto")).status, 500);
        HttpReply reply = client.post("/v1/chat/completions", chatBody("auto"));
        QCOMPARE(reply.status, 503);
        QCOMPARE(json::parse(reply.body)["error"]["code"].get<std::string>(), std::string("upstream_unavailable"));
        QVERIFY(!reply.header("retry-after").empty());
    }

    void midStreamFailuresEndTheStreamCleanly_data()
    {
        QTest::addColumn<QString>("behaviour");
        QTest::newRow("reset mid-stream") << "reset_mid_stream";
        QTest::newRow("silence mid-stream (idle timeout)") << "hang_mid_stream";
    }
    void midStreamFailuresEndTheStreamCleanly()
    {
        QFETCH(QString, behaviour);
        startRouter();
        QVERIFY(m_upstream.setBehaviours({{"mid", behaviour.toStdString()}}));
        HttpTestClient client(port());
        HttpReply reply = client.post("/v1/chat/completions", chatBody("auto", "Say hi", true));
        // The chunked stream is properly terminated (the client read a whole message) and ends with an
        // OpenAI-style error event.
        QVERIFY2(reply.transportOk, reply.transportError.c_str());
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.body.find("\"role\":\"assistant\"") != std::string::npos);
        QVERIFY(reply.body.find("upstream_stream_error") != std::string::npos);
        auto events = waitForLedger(port(), 1);
        QCOMPARE(events[0]["status"].get<std::string>(), std::string("error"));
        QVERIFY(events[0]["error"].get<std::string>().find("mid-stream") != std::string::npos);
        // The router is fine afterwards.
        QVERIFY(m_upstream.setBehaviours({{"mid", "ok"}}));
        QCOMPARE(HttpTestClient(port()).post("/v1/chat/completions", chatBody("auto")).status, 200);
    }

    void noFileDescriptorLeaks()
    {
        startRouter({{"breaker", {{"failure_threshold", 1000}, {"open_ms", 1000}}}});
        json policy = testPolicy();
        QVERIFY(m_upstream.setBehaviours({{"mid", "ok"}}));
        QCOMPARE(HttpTestClient(port()).post("/v1/chat/completions", chatBody("auto")).status, 200); // warm the pool
        const int baseline = m_router->openFileDescriptors();
        QVERIFY(baseline > 0);
        const char *faults[] = {"reset", "garbage", "reset_mid_body", "status:503", "html_502"};
        for (int round = 0; round < 40; ++round) {
            QVERIFY(m_upstream.setBehaviours(
                {{"mid", faults[round % 5]}, {"mid2", faults[(round + 1) % 5]}, {"small", "ok"}}));
            HttpTestClient client(port());
            HttpReply reply = client.post("/v1/chat/completions", chatBody("auto", "Say hi", round % 2 == 0));
            QVERIFY(reply.transportOk);
            rawExchange(port(), "BROKEN\r\n\r\n", std::chrono::milliseconds(500));
            rawExchange(port(), "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n",
                        std::chrono::milliseconds(500));
        }
        // Pooled upstream connections may add a few; a leak would add one or more per round (80+). The router
        // closes the refused connections asynchronously, so the count is polled until it settles.
        int after = 0;
        waitUntil([&] {
            after = m_router->openFileDescriptors();
            return after <= baseline + 6;
        });
        QVERIFY2(after <= baseline + 6, qPrintable(QString("fds %1 -> %2").arg(baseline).arg(after)));
        QVERIFY(m_router->running());
    }

    void httpsUpstreamsAreVerified()
    {
        // A self-signed certificate for localhost, and the fake upstream serving HTTPS with it.
        QTemporaryDir tls;
        const QString cert = tls.path() + "/cert.pem", key = tls.path() + "/key.pem";
        QProcess openssl;
        openssl.start("openssl",
                      {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                       "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert});
        QVERIFY(openssl.waitForFinished(30000));
        QVERIFY2(openssl.exitCode() == 0, openssl.readAllStandardError().constData());
        FakeUpstream secure;
        QString error;
        QVERIFY2(secure.start(&error, {"TLS_CERT=" + cert, "TLS_KEY=" + key}), qPrintable(error));
        const std::string url = "https://localhost:" + std::to_string(secure.port()) + "/a/v1";
        auto secureRequests = [&] { // the control API speaks HTTPS too
            rl::HttpClient::Options options;
            options.caFile = cert.toStdString();
            rl::HttpClient http(options);
            auto answer =
                http.send({"GET", "https://localhost:" + std::to_string(secure.port()) + "/control/stats", {}, {}});
            return answer ? json::parse(answer->body)["requests"].get<int>() : -1;
        };

        json policy = testPolicy();
        policy["tiers"][1]["models"] = {"alpha/mid"};
        policy["fallback"]["across_tiers"] = "none";
        json trusted = config();
        trusted["providers"][0]["base_url"] = url;
        trusted["providers"][0]["ca_file"] = cert.toStdString();
        startRouter(trusted, policy);
        HttpReply reply = HttpTestClient(port()).post("/v1/chat/completions", chatBody("auto"));
        QCOMPARE(reply.status, 200);
        QCOMPARE(json::parse(reply.body)["choices"][0]["message"]["content"].get<std::string>(),
                 std::string("reply from mid"));
        QCOMPARE(secureRequests(), 1);

        // Without the CA the certificate is refused: a clean 502 that says why, nothing sent.
        json untrusted = config();
        untrusted["providers"][0]["base_url"] = url;
        startRouter(untrusted, policy);
        reply = HttpTestClient(port()).post("/v1/chat/completions", chatBody("auto"));
        QCOMPARE(reply.status, 502);
        QVERIFY2(json::parse(reply.body)["error"]["message"].get<std::string>().find("certificate")
                     != std::string::npos,
                 reply.body.c_str());
        QCOMPARE(secureRequests(), 1);
        startRouter();
    }

    // --- admin API -------------------------------------------------------------------------------------

    void adminNeedsTheToken()
    {
        HttpTestClient client(port());
        QCOMPARE(client.get("/admin/policy").status, 401);
        QCOMPARE(client.get("/admin/policy", {{"Authorization", "Bearer wrong"}}).status, 401);
        QCOMPARE(client.get("/admin/usage", {{"Authorization", std::string("Bearer ") + kAdminToken + "x"}}).status,
                 401);
        QCOMPARE(client.get("/admin/policy", admin()).status, 200);
        // The scheme in any case, spaces around the token: read as the chat endpoint reads a client key.
        QCOMPARE(client.get("/admin/policy", {{"Authorization", std::string("bearer  ") + kAdminToken + " "}}).status,
                 200);
        QCOMPARE(client.get("/admin/policy", {{"Authorization", std::string("Bearer") + kAdminToken}}).status, 401);
    }

    void policyPutFollowsTheETagContract()
    {
        startRouter({{"max_body_bytes", 8 << 20}}); // the policy's own 4 MiB limit applies
        HttpTestClient client(port());
        HttpReply current = client.get("/admin/policy", admin());
        QCOMPARE(current.status, 200);
        const std::string etag = current.header("etag");
        QVERIFY(etag.rfind("\"v1-", 0) == 0);
        QCOMPARE(json::parse(current.body)["name"].get<std::string>(), std::string("e2e"));

        const std::string v2 = testPolicy(2).dump();
        QCOMPARE(client.request("PUT", "/admin/policy", v2, admin()).status, 428);
        Headers stale = admin();
        stale["If-Match"] = "\"v0-0000000000000000\"";
        QCOMPARE(client.request("PUT", "/admin/policy", v2, stale).status, 412);

        json invalid = testPolicy(2);
        invalid["tiers"][0]["models"] = {"gamma/unknown"};
        invalid["default_tier"] = "nope";
        Headers matching = admin();
        matching["If-Match"] = etag;
        HttpReply refused = client.request("PUT", "/admin/policy", invalid.dump(), matching);
        QCOMPARE(refused.status, 400);
        json errors = json::parse(refused.body)["errors"];
        QVERIFY(errors.size() >= 1);
        QVERIFY(refused.body.find("default_tier") != std::string::npos);
        QCOMPARE(client.request("PUT", "/admin/policy", std::string(5u << 20, ' '), matching).status, 413);
        QCOMPARE(client.get("/admin/policy", admin()).header("etag"), etag); // nothing changed

        HttpReply installed = client.request("PUT", "/admin/policy", v2, matching);
        QCOMPARE(installed.status, 200);
        QVERIFY(installed.header("etag") != etag);
        QVERIFY(installed.header("etag").rfind("\"v2-", 0) == 0);
        QCOMPARE(client.post("/v1/chat/completions", chatBody("auto")).header("x-routeledger-policy-version"),
                 std::string("2"));
        // The old ETag is stale now for anything but a retry of the same document (which changes nothing).
        HttpReply retried = client.request("PUT", "/admin/policy", v2, matching);
        QCOMPARE(retried.status, 200);
        QCOMPARE(json::parse(retried.body)["changed"].get<bool>(), false);
        QCOMPARE(client.request("PUT", "/admin/policy", testPolicy(3).dump(), matching).status, 412);

        // The last good policy survives a restart.
        QString error;
        QVERIFY2(m_router->restart(&error), qPrintable(error));
        HttpTestClient again(port());
        QCOMPARE(again.get("/admin/policy", admin()).header("etag"), installed.header("etag"));
    }

    void concurrentPutsWithTheSameETagHaveOneWinner()
    {
        startRouter();
        for (int round = 0; round < 10; ++round) {
            std::string etag = HttpTestClient(port()).get("/admin/policy", admin()).header("etag");
            std::atomic<int> ok{0}, stale{0};
            std::vector<std::thread> threads;
            for (int t = 0; t < 2; ++t) {
                threads.emplace_back([&, t] {
                    HttpTestClient client(port());
                    Headers headers = admin();
                    headers["If-Match"] = etag;
                    json policy = testPolicy(10 + round * 2 + t);
                    int status = client.request("PUT", "/admin/policy", policy.dump(), headers).status;
                    (status == 200 ? ok : stale)++;
                    if (status != 200 && status != 412)
                        stale += 100;
                });
            }
            for (auto &thread : threads)
                thread.join();
            QCOMPARE(ok.load(), 1);
            QCOMPARE(stale.load(), 1);
        }
    }

    void policySwapDoesNotAffectRequestsInFlight()
    {
        startRouter();
        QVERIFY(m_upstream.setBehaviours({{"mid", "slow:500"}})); // inside first_byte_ms (700 ms)
        std::string versionSeen;
        std::thread slow([&] {
            versionSeen = HttpTestClient(port())
                              .post("/v1/chat/completions", chatBody("auto"))
                              .header("x-routeledger-policy-version");
        });
        // In flight: decided, and waiting for the upstream's answer.
        const bool arrived = waitUntil([&] { return m_upstream.requestsFor("mid") == 1; });
        if (!arrived)
            slow.join();
        QVERIFY(arrived);
        HttpTestClient client(port());
        Headers headers = admin();
        headers["If-Match"] = client.get("/admin/policy", admin()).header("etag");
        QCOMPARE(client.request("PUT", "/admin/policy", testPolicy(7).dump(), headers).status, 200);
        slow.join();
        QCOMPARE(versionSeen, std::string("1"));
        auto events = waitForLedger(port(), 1);
        QCOMPARE(events[0]["policy_version"].get<int>(), 1);
    }

    void validateAndRouteDoNotTouchUpstreams()
    {
        HttpTestClient client(port());
        HttpReply valid = client.post("/admin/policy/validate", testPolicy(3).dump(), admin());
        QCOMPARE(valid.status, 200);
        QCOMPARE(json::parse(valid.body)["valid"].get<bool>(), true);
        HttpReply invalid = client.post("/admin/policy/validate", R"({"schema":"routeledger.policy/v1"})", admin());
        QCOMPARE(json::parse(invalid.body)["valid"].get<bool>(), false);
        QVERIFY(json::parse(invalid.body)["errors"].size() >= 2);

        HttpReply route = client.post("/admin/route",
                                      R"({"model":"auto","messages":[{"role":"user","content":"hi"}],
                                          "routeledger":{"team":"legal"}})",
                                      admin());
        QCOMPARE(route.status, 200);
        QVERIFY2(route.body.find("legal-frontier") != std::string::npos, route.body.c_str());
        QVERIFY(route.body.find("alpha/big") != std::string::npos);
        QCOMPARE(m_upstream.stats()["requests"].get<int>(), 0);
    }

    void usagePagesFollowTheCursor()
    {
        startRouter();
        HttpTestClient client(port());
        for (int i = 0; i < 25; ++i)
            QCOMPARE(client.post("/v1/chat/completions", chatBody("auto")).status, 200);
        auto all = waitForLedger(port(), 25);
        QCOMPARE(all.size(), std::size_t(25));
        auto paged = ledgerEvents(port(), 7);
        QCOMPARE(paged.size(), std::size_t(25));
        std::set<std::string> ids;
        long long previous = 0;
        for (auto &event : paged) {
            long long cursor = std::stoll(event["cursor"].get<std::string>());
            QVERIFY(cursor > previous);
            previous = cursor;
            ids.insert(event["request_id"].get<std::string>());
        }
        QCOMPARE(ids.size(), std::size_t(25));
        HttpReply last = client.get("/admin/usage?after=" + std::to_string(previous), admin());
        QCOMPARE(json::parse(last.body)["events"].size(), std::size_t(0));
        QCOMPARE(json::parse(last.body)["has_more"].get<bool>(), false);
        QCOMPARE(json::parse(last.body)["next_cursor"].get<std::string>(), std::to_string(previous));
        QCOMPARE(client.get("/admin/usage?after=abc", admin()).status, 400);
        QCOMPARE(client.get("/admin/usage?limit=0", admin()).status, 400);
        QCOMPARE(client.get("/admin/usage?limit=100000", admin()).status, 400);
    }

    // --- operations -----------------------------------------------------------------------------------

    void healthAndMetrics()
    {
        startRouter();
        HttpTestClient client(port());
        QCOMPARE(client.get("/healthz").status, 200);
        QCOMPARE(client.post("/v1/chat/completions", chatBody("auto")).status, 200);
        QVERIFY(m_upstream.setBehaviours({{"mid", "status:503"}}));
        QCOMPARE(client.post("/v1/chat/completions", chatBody("auto")).status, 200);
        QCOMPARE(client.post("/v1/chat/completions", "{", {{"Content-Type", "application/json"}}).status, 400);
        // A request is counted once its answer is sent, and then goes to the ledger: once both are committed,
        // every figure below is final.
        QVERIFY(waitUntil([&] { return metricsShow(client, "routeledger_ledger_committed_events_total 2"); }));
        HttpReply metrics = client.get("/metrics");
        QCOMPARE(metrics.status, 200);
        QVERIFY(metrics.header("content-type").rfind("text/plain; version=0.0.4", 0) == 0);
        for (const char *line :
             {"routeledger_requests_total{tier=\"mid\",model=\"alpha/mid\",status=\"ok\",code=\"200\"} 1",
              "routeledger_requests_total{tier=\"mid\",model=\"beta/mid2\",status=\"fallback\",code=\"200\"} 1",
              "routeledger_upstream_errors_total{model=\"alpha/mid\",kind=\"server_error\"} 1",
              "routeledger_fallbacks_total{from=\"alpha/mid\",to=\"beta/mid2\"} 1",
              "routeledger_rejected_requests_total{reason=\"invalid_json\"} 1",
              "routeledger_request_duration_seconds_count{tier=\"mid\"} 2",
              "routeledger_policy_version{name=\"e2e\"} 1", "routeledger_ledger_committed_events_total 2",
              "routeledger_ledger_pending_events 0"})
            QVERIFY2(metrics.body.find(line) != std::string::npos, line);
    }

    void sigtermDrainsInFlightRequestsAndFlushesTheLedger()
    {
        startRouter({{"group_commit_ms", 2000}}); // a long window: only the flush at exit commits
        // Slow, but well inside first_byte_ms (700 ms), so the request finishes on its first model.
        QVERIFY(m_upstream.setBehaviours({{"mid", "slow:450"}}));
        HttpReply slowReply;
        std::thread slow([&] { slowReply = HttpTestClient(port()).post("/v1/chat/completions", chatBody("auto")); });
        // In flight at the upstream when the signal comes.
        const bool arrived = waitUntil([&] { return m_upstream.requestsFor("mid") == 1; });
        if (!arrived)
            slow.join();
        QVERIFY(arrived);
        const std::uint16_t oldPort = port();
        QCOMPARE(m_router->terminate(10000), 0);
        slow.join();
        QCOMPARE(slowReply.status, 200); // finished, not cut off
        bool closed = false;
        QCOMPARE(rawExchange(oldPort, "GET /healthz HTTP/1.1\r\n\r\n", std::chrono::milliseconds(300), &closed),
                 std::string()); // no longer accepting
        QString error;
        QVERIFY2(m_router->restart(&error), qPrintable(error));
        auto events = ledgerEvents(port());
        QCOMPARE(events.size(), std::size_t(1));
        QCOMPARE(events[0]["status"].get<std::string>(), std::string("ok"));
    }

    void sigkillLosesAtMostOneGroupCommitWindow()
    {
        const int window = 100;
        startRouter({{"group_commit_ms", window}});
        HttpTestClient client(port());
        std::vector<std::string> settled; // answered and committed before the kill
        for (int i = 0; i < 40; ++i) {
            HttpReply reply = client.post("/v1/chat/completions", chatBody("auto"));
            QCOMPARE(reply.status, 200);
            settled.push_back(reply.header("x-routeledger-request-id"));
        }
        QCOMPARE(waitForLedger(port(), settled.size()).size(), settled.size()); // committed: readable through the API
        // A burst right before the kill: these may or may not be committed.
        std::set<std::string> burst;
        for (int i = 0; i < 20; ++i)
            burst.insert(client.post("/v1/chat/completions", chatBody("auto")).header("x-routeledger-request-id"));
        m_router->kill();

        QString error;
        QVERIFY2(m_router->restart(&error), qPrintable(error));
        auto events = ledgerEvents(port());
        std::set<std::string> present;
        long long lastCursor = 0;
        for (auto &event : events) {
            present.insert(event["request_id"].get<std::string>());
            lastCursor = std::max(lastCursor, std::stoll(event["cursor"].get<std::string>()));
        }
        for (const std::string &id : settled)
            QVERIFY2(present.count(id) == 1, id.c_str());
        for (const std::string &id : present)
            QVERIFY(burst.count(id) == 1 || std::find(settled.begin(), settled.end(), id) != settled.end());
        QVERIFY(events.size() >= settled.size());
        // The cursor keeps growing after the restart.
        HttpTestClient after(port());
        QCOMPARE(after.post("/v1/chat/completions", chatBody("auto")).status, 200);
        auto more = waitForLedger(port(), events.size() + 1);
        QCOMPARE(more.size(), events.size() + 1);
        QVERIFY(std::stoll(more.back()["cursor"].get<std::string>()) > lastCursor);
        // The restarted router's ledger stays sound to the end: it drains and flushes on SIGTERM, which the
        // killed run never got to, and no commit failed on either run.
        QCOMPARE(m_router->terminate(10000), 0);
        const QByteArray log = m_router->standardError();
        QCOMPARE(log.count("routeledger-router: stopped; ledger flushed"), qsizetype(1));
        QVERIFY2(!log.contains("ledger commit failed"), log.constData());
    }

    void badConfigsAreRefusedWithTheReason()
    {
        QTemporaryDir dir;
        RouterProcess router(dir.path());
        QVERIFY(router.writeFile("policy.json", QByteArray::fromStdString(testPolicy().dump())));
        json bad = config({{"listen", "nonsense"}, {"colour", "blue"}});
        QString error;
        const QStringList env = {"RL_TEST_ALPHA_KEY=sk-upstream-alpha"};
        QVERIFY(!router.start(bad, &error, env));
        QVERIFY2(error.contains("listen") && error.contains("colour"), qPrintable(error));

        json noProvider = config();
        noProvider["providers"] = json::array({noProvider["providers"][0]}); // beta is gone
        QVERIFY(!router.start(noProvider, &error, env));
        QVERIFY2(error.contains("beta"), qPrintable(error));
    }

    // --- the app polls the router (core/sources) -----------------------------------------------------------

    void routerUsageIsPolledIntoTheStore()
    {
        startRouter();
        QVERIFY(m_upstream.setBehaviours({{"mid", "status:503"}}));
        HttpTestClient client(port());
        std::set<std::string> served;
        for (int i = 0; i < 23; ++i)
            served.insert(client
                              .post("/v1/chat/completions", chatBody("auto"),
                                    {{"X-RouteLedger-Team", "t" + std::to_string(i % 3)}})
                              .header("x-routeledger-request-id"));
        served.insert(client.post("/v1/chat/completions", chatBody("auto", "-----BEGIN PRIVATE KEY-----"))
                          .header("x-routeledger-request-id"));
        QCOMPARE(waitForLedger(port(), 24).size(), std::size_t(24));

        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/store.db").toStdString());
        QVERIFY(store.ok());
        rl::HttpClient http;
        rl::RouterUsageConnector connector(http, "router-e2e", "http://127.0.0.1:" + std::to_string(port()),
                                           kAdminToken, 5);
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QVERIFY(report.caughtUp);
        QCOMPARE(report.inserted, std::size_t(24));
        QCOMPARE(report.pages, std::size_t(5));
        auto rows = store->database().prepare("SELECT e.request_id, e.status FROM usage_events e");
        QVERIFY(rows.ok());
        std::set<std::string> stored;
        int fallbacks = 0, blocked = 0;
        while (rows->step().valueOr(false)) {
            stored.insert(rows->text(0));
            fallbacks += rows->int64(1) == static_cast<int>(rl::UsageStatus::Fallback);
            blocked += rows->int64(1) == static_cast<int>(rl::UsageStatus::Blocked);
        }
        QCOMPARE(stored, served);
        QCOMPARE(fallbacks, 23);
        QCOMPARE(blocked, 1);

        // Nothing new: one empty page. New traffic: only it.
        report = rl::SourcePoller::pollOnce(store.value(), connector);
        QCOMPARE(report.inserted, std::size_t(0));
        for (int i = 0; i < 3; ++i)
            client.post("/v1/chat/completions", chatBody("auto"));
        waitForLedger(port(), 27);
        report = rl::SourcePoller::pollOnce(store.value(), connector);
        QCOMPARE(report.inserted, std::size_t(3));

        // A wrong admin token is a clear error and stores nothing.
        rl::HttpClient http2;
        rl::RouterUsageConnector wrong(http2, "router-wrong", "http://127.0.0.1:" + std::to_string(port()), "nope");
        report = rl::SourcePoller::pollOnce(store.value(), wrong);
        QVERIFY(report.error);
        QCOMPARE(report.error->code, std::string("auth.invalid"));
    }

    void aKilledPollResumesWithoutLossOrDuplicates()
    {
        startRouter();
        HttpTestClient client(port());
        for (int i = 0; i < 1500; ++i)
            QCOMPARE(client.post("/v1/chat/completions", chatBody("auto")).status, 200);
        QCOMPARE(waitForLedger(port(), 1500).size(), std::size_t(1500));
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/store.db").toStdString();
        QVERIFY(rl::UsageStore::open(path).ok());
        const std::string url = "http://127.0.0.1:" + std::to_string(port());

        const pid_t child = fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            auto store = rl::UsageStore::open(path);
            rl::HttpClient http;
            rl::RouterUsageConnector connector(http, "router-kill", url, kAdminToken, 10);
            rl::SourcePoller::pollOnce(store.value(), connector, 100000);
            _exit(0);
        }
        // Kill it once it has committed some pages, mid-poll: polled often, as the whole poll takes well under a
        // second.
        auto store = rl::UsageStore::open(path);
        const bool committed = store.ok()
                               && waitUntil([&] { return bool(store->cursor("router-kill").valueOr(std::nullopt)); },
                                            std::chrono::seconds(10), std::chrono::milliseconds(2));
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        QVERIFY(store.ok());
        QVERIFY(committed);
        auto partial = store->cursor("router-kill");
        QVERIFY(partial.ok() && partial.value());
        QVERIFY2(std::stoll(*partial.value()) < 1500, partial.value()->c_str()); // it was stopped part-way
        rl::HttpClient http;
        rl::RouterUsageConnector connector(http, "router-kill", url, kAdminToken, 10);
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector, 100000);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        auto count = store->database().prepare("SELECT COUNT(*), COUNT(DISTINCT request_id) FROM usage_events");
        QVERIFY(count.ok() && count->step().valueOr(false));
        QCOMPARE(count->int64(0), std::int64_t(1500));
        QCOMPARE(count->int64(1), std::int64_t(1500));
        QCOMPARE(report.duplicates, std::size_t(0)); // resumed exactly after the last committed page
        auto integrity = store->database().prepare("PRAGMA integrity_check");
        QVERIFY(integrity.ok() && integrity->step().valueOr(false));
        QCOMPARE(integrity->text(0), std::string("ok"));
    }

    // --- the official openai npm client ------------------------------------------------------------------

    void officialOpenAiClientWorksThroughTheRouter()
    {
        startRouter({{"require_client_key", true}});
        const QString npmDir = QString(ROUTELEDGER_BINARY_DIR) + "/npm-openai";
        if (!QFile::exists(npmDir + "/node_modules/openai/package.json")) {
            QVERIFY(QDir().mkpath(npmDir));
            QProcess npm;
            npm.setWorkingDirectory(npmDir);
            npm.start("npm",
                      {"install", "--no-audit", "--no-fund", "--prefix", npmDir, QString("openai@") + OPENAI_VERSION});
            QVERIFY(npm.waitForFinished(240000));
            QVERIFY2(npm.exitCode() == 0, npm.readAllStandardError().constData());
        }
        QProcess node;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("ROUTER_URL", QString("http://127.0.0.1:%1/v1").arg(port()));
        env.insert("ROUTER_API_KEY", kLegalKey);
        env.insert("OPENAI_MODULE_DIR", npmDir);
        env.insert("BLOCKED_MODEL", "nosuch/model");
        node.setProcessEnvironment(env);
        node.start("node", {QString(ROUTELEDGER_TEST_DATA) + "/e2e/openai-client.mjs"});
        QVERIFY(node.waitForFinished(60000));
        const QByteArray out = node.readAllStandardOutput();
        QVERIFY2(node.exitCode() == 0, (out + node.readAllStandardError()).constData());
        json result = json::parse(out.toStdString());
        QCOMPARE(result["openai_version"].get<std::string>(), std::string(OPENAI_VERSION));
        QCOMPARE(result["json"]["headers"]["x-routeledger-tier"].get<std::string>(), std::string("frontier"));
        QCOMPARE(result["json"]["headers"]["x-routeledger-model"].get<std::string>(), std::string("alpha/big"));
        QCOMPARE(result["json"]["headers"]["x-routeledger-rule"].get<std::string>(), std::string("legal-frontier"));
        QCOMPARE(result["json"]["headers"]["x-routeledger-policy-version"].get<std::string>(), std::string("1"));
        QCOMPARE(result["json"]["content"].get<std::string>(), std::string("reply from big"));
        QCOMPARE(result["stream"]["headers"]["x-routeledger-model"].get<std::string>(), std::string("alpha/big"));
        QCOMPARE(result["stream"]["content"].get<std::string>(), std::string("reply from big"));
        QVERIFY(result["stream"]["chunks"].get<int>() >= 3);
        QCOMPARE(result["blocked"]["status"].get<int>(), 404);
        QCOMPARE(result["blocked"]["code"].get<std::string>(), std::string("model_not_found"));
        auto events = waitForLedger(port(), 2);
        QCOMPARE(events.size(), std::size_t(2));
        QCOMPARE(events[1]["stream"].get<bool>(), true);
        QCOMPARE(events[1]["team"].get<std::string>(), std::string("legal"));
    }
};

QTEST_GUILESS_MAIN(TestRouterE2E)
#include "tst_routere2e.moc"

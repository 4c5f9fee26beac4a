// Shadow mode (issue 14) through the real routeledger-router process on loopback, in front of the fake upstream:
// GET/PUT/DELETE /admin/policy?shadow, live decisions unchanged by a shadow policy, the ledger's shadow fields
// equal to the shadow policy's own decision (POST /admin/route?shadow, and rl::RoutingEngine in this test), the
// replay features recorded, swaps atomic under load, and shadow mode kept across a restart.
#include "httptestclient.h"
#include "pricing/pricecatalog.h"
#include "pricing/pricing.h"
#include "routerprocess.h"
#include "routing/policyparser.h"
#include "routing/promptchecks.h"
#include "routing/requestreader.h"
#include "routing/routingengine.h"
#include "testsuites.h"
#include "waituntil.h"

#include <QDir>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using nlohmann::json;
using Headers = std::map<std::string, std::string>;

namespace {

const char *const kAdminToken = "shadow-admin-token-5d1e7a";
const std::string kNone = "\"none\"";

// The live policy: three tiers of priced models (the built-in price catalog), two prompt rules.
json livePolicy()
{
    return json::parse(R"({
      "schema": "routeledger.policy/v1", "name": "live", "version": 5,
      "tiers": [
        {"name": "frontier", "models": ["openai/gpt-5"]},
        {"name": "mid", "models": ["openai/gpt-5-mini"]},
        {"name": "light", "models": ["openai/gpt-5-nano"]}
      ],
      "default_tier": "mid",
      "rules": [
        {"id": "no-secrets", "when": {"prompt": {"matches": "BEGIN PRIVATE KEY"}}, "then": {"block": "credentials"}},
        {"id": "summaries-light", "when": {"prompt": {"contains": "summarize"}}, "then": {"tier": "light"}},
        {"id": "legal-frontier", "when": {"team": {"in": ["legal"]}}, "then": {"tier": "frontier"}}
      ],
      "fallback": {"on": ["timeout", "rate_limited", "server_error"], "max_attempts": 3, "across_tiers": "down"}
    })");
}

// Shadow A (a version below the live one: shadow versions are free) and shadow B: tier names and rule ids of their
// own, so an event's shadow fields name exactly one of them.
json shadowA()
{
    return json::parse(R"({
      "schema": "routeledger.policy/v1", "name": "draft-a", "version": 3,
      "tiers": [
        {"name": "a-top", "models": ["openai/gpt-5"]},
        {"name": "a-low", "models": ["openai/gpt-5-nano", "openai/gpt-5-mini"]}
      ],
      "default_tier": "a-low",
      "rules": [
        {"id": "a-secrets", "when": {"prompt": {"contains": "PRIVATE KEY"}}, "then": {"block": "credentials"}},
        {"id": "a-tools-top", "when": {"has_tools": {"eq": true}}, "then": {"tier": "a-top"}},
        {"id": "a-legal-low", "when": {"team": {"in": ["legal"]}}, "then": {"tier": "a-low"}}
      ]
    })");
}

json shadowB()
{
    return json::parse(R"({
      "schema": "routeledger.policy/v1", "name": "draft-b", "version": 9,
      "tiers": [
        {"name": "b-top", "models": ["openai/gpt-5"]},
        {"name": "b-mid", "models": ["openai/gpt-5-mini"]}
      ],
      "default_tier": "b-top",
      "rules": [
        {"id": "b-weather", "when": {"prompt": {"matches": "(?i)weather"}}, "then": {"tier": "b-mid"}},
        {"id": "b-support-mid", "when": {"team": {"in": ["support"]}}, "then": {"tier": "b-mid"}}
      ]
    })");
}

Headers admin(Headers more = {})
{
    more["Authorization"] = std::string("Bearer ") + kAdminToken;
    return more;
}

// One chat request as a client sends it: the body and the identity headers (trusted by the test config).
struct ChatCall {
    std::string team = "support";
    std::string tags; // comma list
    std::string prompt = "Say hi";
    bool tools = false;
    bool stream = false;
    double budgetUsed = 0.0;

    json body() const
    {
        json b = {{"model", "auto"}, {"messages", json::array({{{"role", "user"}, {"content", prompt}}})}};
        if (tools)
            b["tools"] = json::array(
                {{{"type", "function"},
                  {"function",
                   {{"name", "lookup"}, {"parameters", {{"type", "object"}, {"properties", json::object()}}}}}}});
        if (stream)
            b["stream"] = true;
        return b;
    }
    Headers headers() const
    {
        Headers h = {{"X-RouteLedger-Team", team}, {"X-RouteLedger-User", "ana"}, {"X-RouteLedger-App", "desk"}};
        if (!tags.empty())
            h["X-RouteLedger-Tags"] = tags;
        if (budgetUsed > 0)
            h["X-RouteLedger-Budget-Used"] = std::to_string(budgetUsed);
        return h;
    }
    // The same request for POST /admin/route: the identity in the body's "routeledger" object.
    json routeBody() const
    {
        json b = body();
        json who = {{"team", team}, {"user", "ana"}, {"app", "desk"}, {"budget_used", budgetUsed}};
        who["tags"] = json::array();
        if (!tags.empty())
            who["tags"].push_back(tags);
        b["routeledger"] = who;
        return b;
    }
};

// A mix that every policy here decides differently: teams, tags, prompt rules of each, tools, streams.
std::vector<ChatCall> callMix()
{
    std::vector<ChatCall> calls;
    for (const char *team : {"support", "legal"}) {
        for (const char *prompt : {"Say hi", "Please summarize this memo", "How is the weather in Lyon?",
                                   "my PRIVATE KEY is 1234", "-----BEGIN PRIVATE KEY----- abc"}) {
            ChatCall call;
            call.team = team;
            call.prompt = prompt;
            calls.push_back(call);
        }
        ChatCall tools;
        tools.team = team;
        tools.tools = true;
        tools.prompt = "Look up order 42";
        calls.push_back(tools);
        ChatCall stream;
        stream.team = team;
        stream.stream = true;
        stream.prompt = "Write a haiku about the weather";
        calls.push_back(stream);
    }
    return calls;
}

// Reads every ledger event through the admin API, following the cursor.
std::vector<json> ledgerEvents(std::uint16_t port)
{
    std::vector<json> events;
    HttpTestClient client(port);
    std::string cursor = "0";
    for (int page = 0; page < 1000; ++page) {
        HttpReply reply = client.get("/admin/usage?after=" + cursor + "&limit=1000", admin());
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

// The ledger's events once it holds at least `count` (the group commit is asynchronous).
std::vector<json> waitForLedger(std::uint16_t port, std::size_t count)
{
    std::vector<json> events;
    waitUntil([&] {
        events = ledgerEvents(port);
        return events.size() >= count;
    });
    return events;
}

std::map<std::string, json> byRequestId(const std::vector<json> &events)
{
    std::map<std::string, json> out;
    for (const json &event : events)
        out[event["request_id"].get<std::string>()] = event;
    return out;
}

const char *const kShadowKeys[] = {"shadow_policy_version", "shadow_tier",    "shadow_model",
                                   "shadow_rule",           "shadow_blocked", "shadow_cost_micro_usd"};

// The prompt-check keys of a policy (PromptChecks::collect), as /admin/usage names them.
std::set<std::string> promptKeys(const json &policy)
{
    std::set<std::string> keys;
    rl::PolicyLoad load = rl::PolicyParser::parse(policy.dump());
    if (!load.ok())
        return keys;
    std::vector<const rl::Condition *> leaves;
    rl::PromptChecks::collect(*load.policy, leaves);
    for (const rl::Condition *leaf : leaves)
        keys.insert(leaf->promptKey);
    return keys;
}

std::set<std::string> keysOf(const json &object)
{
    std::set<std::string> keys;
    for (auto it = object.begin(); it != object.end(); ++it)
        keys.insert(it.key());
    return keys;
}

// Why an event's shadow fields are not one consistent decision of `policy` (empty: they are).
std::string shadowMismatch(const json &event, const json &policy)
{
    if (event["shadow_policy_version"] != policy["version"])
        return "version";
    const std::string rule = event["shadow_rule"].get<std::string>();
    const std::string tier = event["shadow_tier"].get<std::string>();
    const std::string model = event["shadow_model"].get<std::string>();
    bool ruleKnown = rule == "default";
    for (const json &r : policy["rules"])
        ruleKnown = ruleKnown || r["id"] == rule;
    if (!ruleKnown)
        return "rule " + rule;
    if (event["shadow_blocked"].get<bool>())
        return tier.empty() && model.empty() && event["shadow_cost_micro_usd"] == 0 ? "" : "blocked with a tier";
    for (const json &t : policy["tiers"]) {
        if (t["name"] == tier) {
            for (const json &m : t["models"])
                if (m == model)
                    return "";
            return "model " + model + " not in tier " + tier;
        }
    }
    return "tier " + tier;
}

} // namespace

class TestRouterShadow : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    FakeUpstream m_upstream;
    std::unique_ptr<RouterProcess> m_router;
    int m_routerCount = 0;
    std::set<std::string> m_liveKeys, m_aKeys, m_bKeys;

    json config() const
    {
        return {{"listen", "127.0.0.1:0"},
                {"admin_token_env", "RL_SHADOW_ADMIN_TOKEN"},
                {"policy_file", "policy.json"},
                {"ledger", "ledger.db"},
                {"trust_identity_headers", true},
                {"require_client_key", false},
                {"threads", 2},
                {"group_commit_ms", 20},
                {"providers",
                 {{{"name", "openai"},
                   {"base_url", m_upstream.baseUrl("/o/v1").toStdString()},
                   {"models", {"openai/gpt-5", "openai/gpt-5-mini", "openai/gpt-5-nano"}}}}}};
    }

    void startRouter()
    {
        QString folder = m_dir.path() + "/router" + QString::number(++m_routerCount);
        QVERIFY(QDir().mkpath(folder));
        m_router = std::make_unique<RouterProcess>(folder);
        QVERIFY(m_router->writeFile("policy.json", QByteArray::fromStdString(livePolicy().dump(2))));
        QString error;
        QVERIFY2(m_router->start(config(), &error, {QString("RL_SHADOW_ADMIN_TOKEN=") + kAdminToken}),
                 qPrintable(error));
    }

    std::uint16_t port() const { return m_router->port(); }

    // Installs `policy` as the shadow one over the shadow with `etag`; returns the new ETag (empty on failure).
    std::string putShadow(const json &policy, const std::string &etag)
    {
        HttpTestClient client(port());
        HttpReply reply = client.request("PUT", "/admin/policy?shadow", policy.dump(), admin({{"If-Match", etag}}));
        if (reply.status != 200)
            qWarning("PUT /admin/policy?shadow: %d %s", reply.status, reply.body.c_str());
        return reply.status == 200 ? reply.header("etag") : std::string();
    }

    bool deleteShadow(const std::string &etag)
    {
        HttpTestClient client(port());
        return client.request("DELETE", "/admin/policy?shadow", {}, admin({{"If-Match", etag}})).status == 200;
    }

    // The shadow policy ended whatever it is, so each test starts without one.
    void endShadowMode()
    {
        HttpTestClient client(port());
        client.request("DELETE", "/admin/policy?shadow", {}, admin({{"If-Match", "*"}}));
    }

    static std::string metric(HttpTestClient &client, const std::string &name)
    {
        const std::string page = "\n" + client.get("/metrics").body;
        const auto at = page.find("\n" + name + " ");
        if (at == std::string::npos)
            return {};
        const auto start = at + name.size() + 2;
        return page.substr(start, page.find('\n', start) - start);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(!QStandardPaths::findExecutable("node").isEmpty(), "node (Node 20) is needed for the fake upstream");
        QString error;
        QVERIFY2(m_upstream.start(&error), qPrintable(error));
        m_liveKeys = promptKeys(livePolicy());
        m_aKeys = promptKeys(shadowA());
        m_bKeys = promptKeys(shadowB());
        QCOMPARE(m_liveKeys.size(), std::size_t(2));
        QCOMPARE(m_aKeys.size(), std::size_t(1));
        QCOMPARE(m_bKeys.size(), std::size_t(1));
        startRouter();
    }

    void init()
    {
        QVERIFY(m_upstream.reset());
        // Enough tokens that every model's cost is whole micro-dollars.
        const json usage = {{"behaviour", "ok"}, {"usage", {{"prompt_tokens", 120000}, {"completion_tokens", 30000}}}};
        QVERIFY(m_upstream.setBehaviours({{"gpt-5", usage}, {"gpt-5-mini", usage}, {"gpt-5-nano", usage}}));
        endShadowMode();
    }

    void cleanupTestCase()
    {
        if (m_router)
            m_router->kill();
        m_upstream.stop();
    }

    // (4) The endpoints: the token, "none" and its ETag, If-Match required, stale and invalid policies refused.
    void shadowEndpointsAnswerAsDocumented()
    {
        HttpTestClient client(port());
        for (const char *method : {"GET", "PUT", "DELETE"}) {
            HttpReply reply =
                client.request(method, "/admin/policy?shadow", method == std::string("PUT") ? shadowA().dump() : "",
                               {{"If-Match", kNone}});
            QCOMPARE(reply.status, 401);
        }

        HttpReply none = client.get("/admin/policy?shadow", admin());
        QCOMPARE(none.status, 404);
        QCOMPARE(none.header("etag"), kNone);
        QCOMPARE(json::parse(none.body)["error"]["code"], json("no_shadow_policy"));
        QCOMPARE(client.request("DELETE", "/admin/policy?shadow", {}, admin({{"If-Match", kNone}})).status, 404);
        QCOMPARE(metric(client, "routeledger_shadow_policy_version"), std::string("0"));

        HttpReply noIfMatch = client.request("PUT", "/admin/policy?shadow", shadowA().dump(), admin());
        QCOMPARE(noIfMatch.status, 428);
        QCOMPARE(noIfMatch.header("etag"), kNone);
        HttpReply stale =
            client.request("PUT", "/admin/policy?shadow", shadowA().dump(), admin({{"If-Match", "\"v3-0000\""}}));
        QCOMPARE(stale.status, 412);
        QCOMPARE(stale.header("etag"), kNone);

        // Every problem at once; then the servable-policy check (no provider "nowhere" here), as for the live policy.
        json invalid = shadowA();
        invalid["default_tier"] = "missing-tier";
        invalid["rules"][1]["id"] = "a-secrets";
        HttpReply refused = client.request("PUT", "/admin/policy?shadow", invalid.dump(), admin({{"If-Match", kNone}}));
        QCOMPARE(refused.status, 400);
        QCOMPARE(json::parse(refused.body)["errors"].size(), std::size_t(2));
        QVERIFY2(refused.body.find("missing-tier") != std::string::npos, refused.body.c_str());
        QVERIFY2(refused.body.find("/rules/1/id") != std::string::npos, refused.body.c_str());
        json unservable = shadowA();
        unservable["tiers"][0]["models"] = {"nowhere/model"};
        refused = client.request("PUT", "/admin/policy?shadow", unservable.dump(), admin({{"If-Match", kNone}}));
        QCOMPARE(refused.status, 400);
        QVERIFY2(refused.body.find("nowhere") != std::string::npos, refused.body.c_str());
        QCOMPARE(client.get("/admin/policy?shadow", admin()).status, 404);
        QCOMPARE(
            client.request("PUT", "/admin/policy?shadow=maybe", shadowA().dump(), admin({{"If-Match", kNone}})).status,
            400);

        // The first shadow policy, over "none"; its version is below the live one's, which is fine.
        HttpReply first = client.request("PUT", "/admin/policy?shadow", shadowA().dump(), admin({{"If-Match", kNone}}));
        QCOMPARE(first.status, 200);
        const json installed = json::parse(first.body);
        QCOMPARE(installed["changed"], json(true));
        QCOMPARE(installed["version"], json(3));
        QCOMPARE(installed["live_version"], json(5));
        QVERIFY(installed["previous_version"].is_null());
        const std::string etagA = first.header("etag");
        QVERIFY(etagA.rfind("\"v3-", 0) == 0);
        HttpReply got = client.get("/admin/policy?shadow", admin());
        QCOMPARE(got.status, 200);
        QCOMPARE(got.header("etag"), etagA);
        QCOMPARE(json::parse(got.body)["name"], json("draft-a"));
        QCOMPARE(json::parse(client.get("/admin/policy", admin()).body)["name"], json("live")); // live untouched
        QCOMPARE(metric(client, "routeledger_shadow_policy_version"), std::string("3"));

        // The same document again is a retried push: accepted whatever its If-Match.
        HttpReply retried =
            client.request("PUT", "/admin/policy?shadow", shadowA().dump(), admin({{"If-Match", kNone}}));
        QCOMPARE(retried.status, 200);
        QCOMPARE(json::parse(retried.body)["changed"], json(false));
        // Another one over a stale ETag is refused; over the current one it replaces A.
        QCOMPARE(client.request("PUT", "/admin/policy?shadow", shadowB().dump(), admin({{"If-Match", kNone}})).status,
                 412);
        HttpReply second =
            client.request("PUT", "/admin/policy?shadow", shadowB().dump(), admin({{"If-Match", etagA}}));
        QCOMPARE(second.status, 200);
        QCOMPARE(json::parse(second.body)["previous_version"], json(3));
        const std::string etagB = second.header("etag");

        // DELETE: If-Match required, stale refused, then shadow mode ends.
        QCOMPARE(client.request("DELETE", "/admin/policy?shadow", {}, admin()).status, 428);
        HttpReply staleDelete = client.request("DELETE", "/admin/policy?shadow", {}, admin({{"If-Match", etagA}}));
        QCOMPARE(staleDelete.status, 412);
        QCOMPARE(staleDelete.header("etag"), etagB);
        HttpReply removed = client.request("DELETE", "/admin/policy?shadow", {}, admin({{"If-Match", etagB}}));
        QCOMPARE(removed.status, 200);
        QCOMPARE(removed.header("etag"), kNone);
        QCOMPARE(client.get("/admin/policy?shadow", admin()).status, 404);
        QCOMPARE(metric(client, "routeledger_shadow_policy_version"), std::string("0"));

        // The live policy is replaced, never deleted; route?shadow without a shadow policy is a 404.
        QCOMPARE(client.request("DELETE", "/admin/policy", {}, admin({{"If-Match", "*"}})).status, 405);
        QCOMPARE(client.post("/admin/route?shadow", ChatCall().routeBody().dump(), admin()).status, 404);
    }

    // (1) The live decision (what is served, and its headers) is the same with a shadow policy as without.
    void liveDecisionsAreUnchangedByAShadowPolicy()
    {
        const std::vector<ChatCall> calls = callMix();
        auto served = [&](std::vector<std::string> &out) {
            HttpTestClient client(port());
            for (const ChatCall &call : calls) {
                HttpReply reply = client.post("/v1/chat/completions", call.body().dump(), call.headers());
                QVERIFY2(reply.status == 200 || reply.status == 403, reply.body.c_str());
                out.push_back(std::to_string(reply.status) + " " + reply.header("x-routeledger-tier") + " "
                              + reply.header("x-routeledger-model") + " " + reply.header("x-routeledger-rule") + " "
                              + reply.header("x-routeledger-policy-version"));
            }
        };
        std::vector<std::string> without, withA, withB;
        served(without);
        const std::string etag = putShadow(shadowA(), kNone);
        QVERIFY(!etag.empty());
        served(withA);
        QVERIFY(!putShadow(shadowB(), etag).empty());
        served(withB);
        QCOMPARE(withA, without);
        QCOMPARE(withB, without);
        QVERIFY(std::any_of(without.begin(), without.end(),
                            [](const std::string &line) { return line.rfind("403", 0) == 0; })); // blocked ones too
        // The shadow chose other tiers for some of them, and the metric says so.
        HttpTestClient client(port());
        QVERIFY(std::stoll(metric(client, "routeledger_shadow_tier_changes_total")) > 0);
    }

    // (2) The shadow fields of each event are the shadow policy's decision for that request: what
    // POST /admin/route?shadow says, what rl::RoutingEngine decides here, and the shadow model's catalog price
    // for the tokens the request used.
    void shadowFieldsEqualTheShadowDecision()
    {
        const std::string etag = putShadow(shadowA(), kNone);
        QVERIFY(!etag.empty());
        std::vector<ChatCall> calls = callMix();
        calls[0].budgetUsed = 0.5;
        std::map<std::string, const ChatCall *> sent;
        {
            HttpTestClient client(port());
            for (const ChatCall &call : calls) {
                HttpReply reply = client.post("/v1/chat/completions", call.body().dump(), call.headers());
                QVERIFY2(reply.status == 200 || reply.status == 403, reply.body.c_str());
                sent[reply.header("x-routeledger-request-id")] = &call;
            }
        }
        std::map<std::string, json> events;
        QVERIFY(waitUntil([&] {
            events = byRequestId(ledgerEvents(port()));
            return std::all_of(sent.begin(), sent.end(), [&](const auto &s) { return events.count(s.first) > 0; });
        }));

        rl::PolicyLoad shadow = rl::PolicyParser::parse(shadowA().dump());
        QVERIFY(shadow.ok());
        const rl::RoutingEngine engine;
        const rl::Pricing pricing(rl::PriceCatalog::builtIn());
        HttpTestClient client(port());
        int blocked = 0, priced = 0;
        for (const auto &[requestId, call] : sent) {
            const json &event = events[requestId];
            const QByteArray where = QByteArray::fromStdString(requestId + " " + call->prompt + " " + call->team);
            for (const char *key : kShadowKeys)
                QVERIFY2(event.contains(key), (where + " lacks " + key).constData());

            HttpReply routed = client.post("/admin/route?shadow", call->routeBody().dump(), admin());
            QCOMPARE(routed.status, 200);
            const json decision = json::parse(routed.body);
            QCOMPARE(event["shadow_policy_version"], decision["policy_version"]);
            QCOMPARE(event["shadow_blocked"], decision["blocked"]);
            QCOMPARE(event["shadow_rule"], decision["rule"]);
            QCOMPARE(event["shadow_tier"], decision["tier"].is_null() ? json("") : decision["tier"]);
            QCOMPARE(event["shadow_model"], decision["model"].is_null() ? json("") : decision["model"]);
            // The shadow saw the live decision's estimates: the same input-token figure.
            QCOMPARE(event["routed_input_tokens"], decision["input_tokens"]);

            auto request = rl::RequestReader::fromText(call->routeBody().dump(), event["time_ms"].get<std::int64_t>());
            QVERIFY(request.ok());
            const rl::Decision own = engine.decide(shadow.policy, request.value());
            QCOMPARE(event["shadow_rule"].get<std::string>(), std::string(own.ruleId()));
            QCOMPARE(event["shadow_tier"].get<std::string>(), std::string(own.tierName()));
            QCOMPARE(event["shadow_model"].get<std::string>(), own.blocked ? std::string() : std::string(own.model));

            rl::TokenUsage tokens;
            tokens.input = event["input_tokens"].get<std::int64_t>();
            tokens.cachedInput = event["cached_input_tokens"].get<std::int64_t>();
            tokens.cacheWrite = event["cache_write_tokens"].get<std::int64_t>();
            tokens.output = event["output_tokens"].get<std::int64_t>();
            tokens.reasoning = event["reasoning_tokens"].get<std::int64_t>();
            const std::int64_t expected =
                own.blocked
                    ? 0
                    : pricing.cost(std::string(own.model), tokens, event["time_ms"].get<std::int64_t>()).microUsd;
            QCOMPARE(event["shadow_cost_micro_usd"].get<std::int64_t>(), expected);
            if (event["status"] == "blocked") {
                ++blocked;
                QCOMPARE(event["shadow_cost_micro_usd"], json(0)); // no tokens, no cost
            } else if (expected > 0) {
                ++priced;
            }
        }
        QVERIFY(blocked > 0);
        QVERIFY(priced > 0);
    }

    // (5) The replay features of a request with tools, streamed, under a budget, whose prompt matches a prompt
    // rule: recorded on /admin/usage with the prompt conditions of the live and the shadow policy.
    void featuresAreRecorded()
    {
        QVERIFY(!putShadow(shadowA(), kNone).empty());
        ChatCall call;
        call.prompt = "Please summarize this memo";
        call.tools = true;
        call.stream = true;
        call.budgetUsed = 0.25;
        ChatCall blockedCall;
        blockedCall.prompt = "-----BEGIN PRIVATE KEY----- abc";
        std::string servedId, blockedId;
        {
            HttpTestClient client(port());
            HttpReply served = client.post("/v1/chat/completions", call.body().dump(), call.headers());
            QCOMPARE(served.status, 200);
            QCOMPARE(served.header("x-routeledger-rule"), std::string("summaries-light"));
            servedId = served.header("x-routeledger-request-id");
            HttpReply blocked = client.post("/v1/chat/completions", blockedCall.body().dump(), blockedCall.headers());
            QCOMPARE(blocked.status, 403);
            blockedId = blocked.header("x-routeledger-request-id");
        }
        std::map<std::string, json> events;
        QVERIFY(waitUntil([&] {
            events = byRequestId(ledgerEvents(port()));
            return events.count(servedId) > 0 && events.count(blockedId) > 0;
        }));
        const json &served = events[servedId];
        QCOMPARE(served["has_tools"], json(true));
        QCOMPARE(served["has_images"], json(false));
        QCOMPARE(served["stream"], json(true));
        QCOMPARE(served["budget_used"], json(0.25));
        QVERIFY(served["routed_input_tokens"].get<std::int64_t>() > 0);
        QVERIFY(!served.contains("routed_model")); // no fallback
        const std::string summarize = rl::PromptChecks::key(rl::Op::Contains, "summarize");
        const std::string secrets = rl::PromptChecks::key(rl::Op::Matches, "BEGIN PRIVATE KEY");
        const std::string shadowSecrets = rl::PromptChecks::key(rl::Op::Contains, "PRIVATE KEY");
        QCOMPARE(served["prompt_checks"], json({{summarize, true}, {secrets, false}, {shadowSecrets, false}}));
        // A's rule on tools decided the shadow's tier.
        QCOMPARE(served["shadow_rule"], json("a-tools-top"));
        QCOMPARE(served["shadow_model"], json("openai/gpt-5"));

        // Blocked requests are recorded with their features and the shadow's decision too.
        const json &blocked = events[blockedId];
        QCOMPARE(blocked["status"], json("blocked"));
        QCOMPARE(blocked["has_tools"], json(false));
        QCOMPARE(blocked["prompt_checks"], json({{summarize, false}, {secrets, true}, {shadowSecrets, true}}));
        QCOMPARE(blocked["shadow_blocked"], json(true));
        QCOMPARE(blocked["shadow_rule"], json("a-secrets"));
        QCOMPARE(blocked["shadow_cost_micro_usd"], json(0));
    }

    // A fallback served another model than the decision chose: the ledger says which one was chosen.
    void aFallbackRecordsTheRoutedModel()
    {
        QVERIFY(m_upstream.setBehaviours({{"gpt-5-mini", "status:503"}}));
        HttpTestClient client(port());
        HttpReply reply = client.post("/v1/chat/completions", ChatCall().body().dump(), ChatCall().headers());
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.header("x-routeledger-model"), std::string("openai/gpt-5-nano"));
        const std::string id = reply.header("x-routeledger-request-id");
        std::map<std::string, json> events;
        QVERIFY(waitUntil([&] {
            events = byRequestId(ledgerEvents(port()));
            return events.count(id) > 0;
        }));
        QCOMPARE(events[id]["model"], json("openai/gpt-5-nano"));
        QCOMPARE(events[id]["routed_model"], json("openai/gpt-5-mini"));
        for (const char *key : kShadowKeys)
            QVERIFY(!events[id].contains(key)); // no shadow policy: no shadow fields
    }

    // (3) Client threads send requests while the shadow policy goes none → A → B → none: every event's shadow
    // fields (and prompt checks) are those of exactly one of the three states, never a mix.
    void shadowSwapsAreAtomicUnderLoad()
    {
        const std::vector<ChatCall> calls = callMix();
        const std::size_t before = ledgerEvents(port()).size();
        std::atomic<bool> stop{false};
        std::atomic<int> answered{0}, failed{0};
        std::vector<std::thread> clients;
        for (int t = 0; t < 3; ++t) {
            clients.emplace_back([&, t] {
                HttpTestClient client(port());
                for (std::size_t i = static_cast<std::size_t>(t); !stop.load(); ++i) {
                    const ChatCall &call = calls[i % calls.size()];
                    HttpReply reply = client.post("/v1/chat/completions", call.body().dump(), call.headers());
                    if (reply.status == 200 || reply.status == 403)
                        ++answered;
                    else
                        ++failed;
                }
            });
        }
        auto moreAnswers = [&](int count) {
            const int target = answered.load() + count;
            return waitUntil([&] { return answered.load() >= target; }, std::chrono::seconds(30),
                             std::chrono::milliseconds(2));
        };
        QVERIFY(moreAnswers(60));
        const std::string etagA = putShadow(shadowA(), kNone);
        QVERIFY(!etagA.empty());
        QVERIFY(moreAnswers(100));
        const std::string etagB = putShadow(shadowB(), etagA);
        QVERIFY(!etagB.empty());
        QVERIFY(moreAnswers(100));
        QVERIFY(deleteShadow(etagB));
        QVERIFY(moreAnswers(60));
        stop = true;
        for (std::thread &thread : clients)
            thread.join();
        QCOMPARE(failed.load(), 0);

        const std::size_t total = before + static_cast<std::size_t>(answered.load());
        std::vector<json> events = waitForLedger(port(), total);
        QCOMPARE(events.size(), total);
        std::map<std::string, int> seen;
        std::set<std::string> liveAndA = m_liveKeys, liveAndB = m_liveKeys;
        liveAndA.insert(m_aKeys.begin(), m_aKeys.end());
        liveAndB.insert(m_bKeys.begin(), m_bKeys.end());
        for (std::size_t i = before; i < events.size(); ++i) {
            const json &event = events[i];
            const QByteArray what = QByteArray::fromStdString(event.dump());
            std::size_t shadowKeys = 0;
            for (const char *key : kShadowKeys)
                shadowKeys += event.contains(key) ? 1u : 0u;
            const std::set<std::string> checks = keysOf(event.value("prompt_checks", json::object()));
            if (shadowKeys == 0) {
                ++seen["none"];
                QVERIFY2(checks == m_liveKeys, what.constData());
                continue;
            }
            QVERIFY2(shadowKeys == std::size(kShadowKeys), what.constData());
            const bool isA = event["shadow_policy_version"] == shadowA()["version"];
            const json policy = isA ? shadowA() : shadowB();
            const std::string mismatch = shadowMismatch(event, policy);
            QVERIFY2(mismatch.empty(), (QByteArray::fromStdString(mismatch) + " in " + what).constData());
            QVERIFY2(checks == (isA ? liveAndA : liveAndB), what.constData());
            ++seen[isA ? "A" : "B"];
            // The live decision is the live policy's whatever the shadow.
            QCOMPARE(event["policy_version"], json(5));
        }
        qInfo("%zu events: no shadow %d, shadow A %d, shadow B %d", events.size() - before, seen["none"], seen["A"],
              seen["B"]);
        QVERIFY2(seen["none"] > 0 && seen["A"] > 0 && seen["B"] > 0,
                 qPrintable(QString("none %1, A %2, B %3").arg(seen["none"]).arg(seen["A"]).arg(seen["B"])));
    }

    // Shadow mode survives a restart (the shadow policy is saved in the ledger before it is used).
    void shadowPolicySurvivesARestart()
    {
        const std::string etag = putShadow(shadowB(), kNone);
        QVERIFY(!etag.empty());
        QString error;
        QVERIFY2(m_router->restart(&error), qPrintable(error));
        HttpTestClient client(port());
        HttpReply got = client.get("/admin/policy?shadow", admin());
        QCOMPARE(got.status, 200);
        QCOMPARE(got.header("etag"), etag);
        QCOMPARE(metric(client, "routeledger_shadow_policy_version"), std::string("9"));
        QVERIFY(deleteShadow(etag));
        QVERIFY2(m_router->restart(&error), qPrintable(error));
        HttpTestClient after(port());
        QCOMPARE(after.get("/admin/policy?shadow", admin()).status, 404);
    }
};

ROUTELEDGER_TEST_SUITE(TestRouterShadow)
#include "tst_routershadow.moc"

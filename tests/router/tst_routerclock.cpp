// The router reads "now" from the one clock its composition root (RouterApp) is given: a request's time in
// the ledger, its id, and the time-of-day conditions of the chat path and of the admin API's dry run. Served
// in-process on loopback with a fixed clock; every request is blocked by the policy, so no upstream is needed.
#include "clock.h"
#include "httptestclient.h"
#include "routerapp.h"
#include "testsuites.h"
#include "waituntil.h"

#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <memory>
#include <string>

using nlohmann::json;

namespace {

constexpr std::int64_t kMondayTenUtc = 1767607200000; // 2026-01-05T10:00:00Z, a Monday
const std::string kAdminToken = "clock-admin-token";

// Blocks every request made between 10:00 and 11:00 UTC and no other, so the deciding rule says which time was read.
json tenOClockPolicy()
{
    return json::parse(R"({"schema": "routeledger.policy/v1", "name": "clock", "version": 1,
      "tiers": [{"name": "mid", "models": ["openai/gpt-5-mini"]}], "default_tier": "mid",
      "rules": [{"id": "ten-utc", "when": {"hour_utc": {"eq": 10}}, "then": {"block": "at ten UTC"}}]})");
}

} // namespace

class TestRouterClock : public QObject {
    Q_OBJECT
private slots:
    void everyPartReadsTheInjectedClock()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string folder = dir.path().toStdString();
        std::ofstream(folder + "/policy.json") << tenOClockPolicy().dump();
        json document = {
            {"listen", "127.0.0.1:0"},
            {"policy_file", "policy.json"},
            {"ledger", "ledger.db"},
            {"threads", 1},
            {"group_commit_ms", 10},
            {"providers",
             {{{"name", "openai"}, {"base_url", "http://127.0.0.1:9/v1"}, {"models", {"openai/gpt-5-mini"}}}}}};
        auto config = rl::RouterConfig::parse(document.dump(), folder);
        QVERIFY2(config.ok(), config.ok() ? "" : config.error().message.c_str());
        config.value().adminToken = kAdminToken;
        auto app = rl::RouterApp::create(std::move(config.value()), rl::fixedClock(kMondayTenUtc));
        QVERIFY2(app.ok(), app.ok() ? "" : app.error().message.c_str());
        auto port = app.value()->start();
        QVERIFY(port.ok());
        HttpTestClient client(port.value());
        const std::map<std::string, std::string> admin = {{"Authorization", "Bearer " + kAdminToken}};
        const std::string chatBody = R"({"model":"auto","messages":[{"role":"user","content":"hi"}]})";

        // The chat path decides at the clock's hour, and its id carries the clock's time.
        HttpReply chat = client.post("/v1/chat/completions", chatBody);
        QVERIFY2(chat.transportOk, chat.transportError.c_str());
        QCOMPARE(chat.status, 403);
        QCOMPARE(chat.header("x-routeledger-rule"), std::string("ten-utc"));
        QVERIFY2(chat.header("x-routeledger-request-id").find("-" + std::to_string(kMondayTenUtc) + "-")
                     != std::string::npos,
                 chat.header("x-routeledger-request-id").c_str());

        // The ledger records the request at the clock's time.
        json page;
        QVERIFY(waitUntil([&] {
            HttpReply reply = client.get("/admin/usage", admin);
            page = reply.status == 200 ? json::parse(reply.body) : json::object();
            return page.contains("events") && page["events"].size() == 1;
        }));
        QCOMPARE(page["events"][0]["time_ms"].get<std::int64_t>(), kMondayTenUtc);
        QCOMPARE(page["events"][0]["status"].get<std::string>(), std::string("blocked"));

        // The admin API's dry run decides at the clock's hour too.
        HttpReply route = client.post("/admin/route", chatBody, admin);
        QCOMPARE(route.status, 200);
        const json decision = json::parse(route.body);
        QCOMPARE(decision["rule"].get<std::string>(), std::string("ten-utc"));
        QCOMPARE(decision["blocked"].get<bool>(), true);

        app.value()->stop();
    }
};

ROUTELEDGER_TEST_SUITE(TestRouterClock)
#include "tst_routerclock.moc"

// Quality feedback and escalations (issue 14) through the real routeledger-router process on loopback, in front of
// the fake upstream: POST /v1/feedback under the client's key (a client rates only its own requests; unknown ids and
// other clients' ids are the same 404), bad bodies refused with what to fix, repeats idempotent, feedback polled
// into a real store exactly once (also when given after its event was polled), and an escalation (the same prompt
// asked again at the frontier tier) recorded on the later event and polled into the store.
#include "digest.h"
#include "httptestclient.h"
#include "net/httpclient.h"
#include "routerprocess.h"
#include "sources/routerusageconnector.h"
#include "sources/sourcepoller.h"
#include "store/usagestore.h"
#include "testsuites.h"
#include "waituntil.h"

#include <QDir>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <map>
#include <string>

using nlohmann::json;
using Headers = std::map<std::string, std::string>;

namespace {

const char *const kAdminToken = "feedback-admin-token-81c2";
const char *const kAnaKey = "sk-rl-ana-3f9a";
const char *const kBobKey = "sk-rl-bob-77d0";

json policy()
{
    return json::parse(R"({
      "schema": "routeledger.policy/v1", "name": "live", "version": 2,
      "tiers": [
        {"name": "frontier", "models": ["openai/gpt-5"]},
        {"name": "mid", "models": ["openai/gpt-5-mini"]},
        {"name": "light", "models": ["openai/gpt-5-nano"]}
      ],
      "default_tier": "light",
      "rules": [{"id": "summaries-mid", "when": {"prompt": {"contains": "summarize"}}, "then": {"tier": "mid"}}]
    })");
}

Headers as(const char *key)
{
    return {{"Authorization", std::string("Bearer ") + key}};
}

Headers admin()
{
    return as(kAdminToken);
}

std::string chatBody(const std::string &model, const std::string &prompt)
{
    return json{{"model", model}, {"messages", json::array({{{"role", "user"}, {"content", prompt}}})}}.dump();
}

// Every ledger event through the admin API.
std::vector<json> ledgerEvents(std::uint16_t port)
{
    std::vector<json> events;
    HttpTestClient client(port);
    HttpReply reply = client.get("/admin/usage?after=0&limit=10000", admin());
    if (reply.status != 200)
        return events;
    const json page = json::parse(reply.body); // kept alive: a range-for over a temporary's member dangles
    for (const json &event : page["events"])
        events.push_back(event);
    return events;
}

std::vector<json> waitForLedger(std::uint16_t port, std::size_t count)
{
    std::vector<json> events;
    waitUntil([&] {
        events = ledgerEvents(port);
        return events.size() >= count;
    });
    return events;
}

std::string metric(std::uint16_t port, const std::string &name)
{
    HttpTestClient client(port);
    const std::string page = "\n" + client.get("/metrics").body;
    const auto at = page.find("\n" + name + " ");
    if (at == std::string::npos)
        return {};
    const auto start = at + name.size() + 2;
    return page.substr(start, page.find('\n', start) - start);
}

std::int64_t count(rl::UsageStore &store, const std::string &sql)
{
    auto statement = store.database().prepare(sql);
    if (!statement || !statement->step().valueOr(false))
        return -1;
    return statement->int64(0);
}

} // namespace

class TestRouterFeedback : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    FakeUpstream m_upstream;
    std::unique_ptr<RouterProcess> m_router;

    std::uint16_t port() const { return m_router->port(); }

    // One chat request from `key`; its request id (empty on failure).
    std::string chat(const char *key, const std::string &prompt, const std::string &model = "auto")
    {
        HttpTestClient client(port());
        HttpReply reply = client.post("/v1/chat/completions", chatBody(model, prompt), as(key));
        if (reply.status != 200)
            qWarning("chat: %d %s", reply.status, reply.body.c_str());
        return reply.status == 200 ? reply.header("x-routeledger-request-id") : std::string();
    }

    HttpReply feedback(const char *key, const json &body)
    {
        HttpTestClient client(port());
        return client.post("/v1/feedback", body.dump(), as(key));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(!QStandardPaths::findExecutable("node").isEmpty(), "node (Node 20) is needed for the fake upstream");
        QString error;
        QVERIFY2(m_upstream.start(&error), qPrintable(error));
        const json config = {
            {"listen", "127.0.0.1:0"},
            {"admin_token_env", "RL_FEEDBACK_ADMIN_TOKEN"},
            {"policy_file", "policy.json"},
            {"ledger", "ledger.db"},
            {"threads", 2},
            {"group_commit_ms", 20},
            {"providers",
             {{{"name", "openai"},
               {"base_url", m_upstream.baseUrl("/o/v1").toStdString()},
               {"models", {"openai/gpt-5", "openai/gpt-5-mini", "openai/gpt-5-nano"}}}}},
            {"clients",
             {{{"key_sha256", rl::sha256Hex(kAnaKey)}, {"team", "support"}, {"user", "ana"}, {"app", "desk"}},
              {{"key_sha256", rl::sha256Hex(kBobKey)}, {"team", "support"}, {"user", "bob"}, {"app", "desk"}}}}};
        m_router = std::make_unique<RouterProcess>(m_dir.path() + "/router");
        QVERIFY(QDir().mkpath(m_router->dir()));
        QVERIFY(m_router->writeFile("policy.json", QByteArray::fromStdString(policy().dump(2))));
        QVERIFY2(m_router->start(config, &error, {QString("RL_FEEDBACK_ADMIN_TOKEN=") + kAdminToken}),
                 qPrintable(error));
    }

    void cleanupTestCase()
    {
        if (m_router)
            QCOMPARE(m_router->terminate(10000), 0);
        m_upstream.stop();
    }

    // A client rates its own request; another client's request answers exactly like an unknown one (404), so ids
    // cannot be probed; without a key it is a 401 as for chat.
    void aClientRatesOnlyItsOwnRequests()
    {
        const std::string id = chat(kAnaKey, "Draft a polite reminder");
        QVERIFY(!id.empty());
        const std::string before = metric(port(), "routeledger_feedback_received_total");

        HttpReply reply = feedback(kAnaKey, {{"request_id", id}, {"score", 0.8}});
        QCOMPARE(reply.status, 200);
        json body = json::parse(reply.body);
        QCOMPARE(body["request_id"], json(id));
        QCOMPARE(body["changed"], json(true));
        QCOMPARE(metric(port(), "routeledger_feedback_received_total"), std::to_string(std::stoi(before) + 1));

        reply = feedback(kBobKey, {{"request_id", id}, {"score", 0.1}});
        QCOMPARE(reply.status, 404);
        body = json::parse(reply.body);
        QCOMPARE(body["error"]["code"], json("request_not_found"));
        QVERIFY2(body["error"]["message"].get<std::string>().find(id) != std::string::npos, reply.body.c_str());

        HttpReply unknown = feedback(kBobKey, {{"request_id", "rl-00000000-1-1"}, {"score", 0.1}});
        QCOMPARE(unknown.status, 404);
        QCOMPARE(json::parse(unknown.body)["error"]["code"], json("request_not_found"));

        HttpTestClient client(port());
        HttpReply anonymous = client.post("/v1/feedback", json{{"request_id", id}, {"score", 1}}.dump());
        QCOMPARE(anonymous.status, 401);
        QCOMPARE(json::parse(anonymous.body)["error"]["code"], json("missing_api_key"));
        HttpReply wrongKey = client.post("/v1/feedback", json{{"request_id", id}, {"score", 1}}.dump(), as("sk-nope"));
        QCOMPARE(wrongKey.status, 401);
        QCOMPARE(json::parse(wrongKey.body)["error"]["code"], json("invalid_api_key"));
        HttpReply get = client.get("/v1/feedback", as(kAnaKey));
        QCOMPARE(get.status, 405);
        QCOMPARE(get.header("allow"), std::string("POST"));

        // Bob's refused feedback changed nothing: the page still holds Ana's score.
        HttpReply page = client.get("/admin/usage?after=0&feedback_after=0&limit=10000", admin());
        QCOMPARE(page.status, 200);
        bool found = false;
        const json parsed = json::parse(page.body);
        for (const json &item : parsed["feedback"]) {
            if (item["request_id"] == id) {
                QCOMPARE(item["score"].get<double>(), 0.8);
                found = true;
            }
        }
        QVERIFY2(found, page.body.c_str());
    }

    void badBodiesAreRefusedWithTheFix_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("says");
        const QByteArray jsonType = "application/json";
        auto row = [&](const char *name, const json &body, const char *says) {
            QTest::newRow(name) << QByteArray::fromStdString(body.dump()) << jsonType << 400 << "invalid_feedback"
                                << says;
        };
        const std::string id = "REQUEST"; // replaced by a real request id
        row("score above 1", {{"request_id", id}, {"score", 1.5}}, "outside 0 to 1");
        row("score below 0", {{"request_id", id}, {"score", -0.1}}, "outside 0 to 1");
        row("score a string", {{"request_id", id}, {"score", "0.8"}}, "score must be a number from 0 to 1");
        row("score a bool", {{"request_id", id}, {"score", true}}, "score must be a number from 0 to 1");
        row("thumbs sideways", {{"request_id", id}, {"thumbs", "sideways"}}, "thumbs must be \"up\" or \"down\"");
        row("thumbs a bool", {{"request_id", id}, {"thumbs", true}}, "thumbs must be \"up\" or \"down\"");
        row("score and thumbs", {{"request_id", id}, {"score", 1}, {"thumbs", "up"}}, "either score or thumbs");
        row("neither", {{"request_id", id}, {"comment", "meh"}}, "Neither score nor thumbs");
        row("no request_id", {{"score", 1}}, "request_id is missing");
        row("request_id a number", {{"request_id", 12}, {"score", 1}}, "request_id is missing or not a string");
        row("comment a number", {{"request_id", id}, {"score", 1}, {"comment", 5}}, "comment must be a string");
        std::string longComment;
        for (int i = 0; i < 2001; ++i)
            longComment += "\xc3\xa9"; // 2,001 characters in 4,002 bytes
        row("comment too long", {{"request_id", id}, {"score", 1}, {"comment", longComment}},
            "comment is 2001 characters long; the limit is 2000");
        row("unknown key", {{"request_id", id}, {"rating", 1}}, "Unknown key 'rating'");
        row("a list", json::array({1}), "must be a JSON object");
        QTest::newRow("not JSON") << QByteArray("{\"request_id\": ") << jsonType << 400 << "invalid_json"
                                  << "not JSON in UTF-8";
        QTest::newRow("not UTF-8") << QByteArray(
            "{\"request_id\": \"REQUEST\", \"score\": 1, \"comment\": \"caf\xe9\"}")
                                   << jsonType << 400 << "invalid_json"
                                   << "not JSON in UTF-8";
        QTest::newRow("not JSON content") << QByteArray("{\"request_id\": \"REQUEST\", \"score\": 1}")
                                          << QByteArray("text/plain") << 415 << "unsupported_media_type"
                                          << "Content-Type must be application/json";
    }
    void badBodiesAreRefusedWithTheFix()
    {
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, contentType);
        QFETCH(int, status);
        QFETCH(QString, code);
        QFETCH(QString, says);
        const std::string id = chat(kAnaKey, "Hello there");
        QVERIFY(!id.empty());
        std::string text = body.toStdString();
        if (auto at = text.find("REQUEST"); at != std::string::npos)
            text.replace(at, 7, id);
        HttpTestClient client(port());
        Headers headers = as(kAnaKey);
        headers["Content-Type"] = contentType.toStdString();
        HttpReply reply = client.post("/v1/feedback", text, headers);
        QCOMPARE(reply.status, status);
        const json error = json::parse(reply.body)["error"];
        QCOMPARE(QString::fromStdString(error["code"].get<std::string>()), code);
        QCOMPARE(error["type"], json("invalid_request_error"));
        QVERIFY2(QString::fromStdString(error["message"].get<std::string>()).contains(says), reply.body.c_str());
        // Nothing was stored for the request.
        HttpReply page = client.get("/admin/usage?after=0&feedback_after=0&limit=10000", admin());
        const json parsed = json::parse(page.body);
        for (const json &item : parsed["feedback"])
            QVERIFY(item["request_id"] != id);
    }

    // Repeats are stored once; a different feedback replaces the earlier one; feedback reaches a real store through
    // the router connector exactly once, also when it is given after its event was polled.
    void feedbackIsPolledIntoTheStoreOnce()
    {
        const std::string first = chat(kAnaKey, "Translate 'good morning' to French");
        const std::string second = chat(kAnaKey, "Translate 'good night' to French");
        QVERIFY(!first.empty() && !second.empty());
        const json down = {{"request_id", first}, {"thumbs", "down"}, {"comment", "it answered in Spanish"}};
        HttpReply reply = feedback(kAnaKey, down);
        QCOMPARE(reply.status, 200);
        QCOMPARE(json::parse(reply.body)["changed"], json(true));
        reply = feedback(kAnaKey, down);
        QCOMPARE(reply.status, 200);
        QCOMPARE(json::parse(reply.body)["changed"], json(false));
        QVERIFY(waitForLedger(port(), 2).size() >= 2);

        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/store.db").toStdString());
        QVERIFY(store.ok());
        rl::HttpClient http;
        rl::RouterUsageConnector connector(http, "router-fb", "http://127.0.0.1:" + std::to_string(port()), kAdminToken,
                                           3);
        // Earlier tests rated other requests of this router: only these two are counted.
        const std::string countOfBoth =
            "SELECT count(*) FROM feedback WHERE request_id IN ('" + first + "', '" + second + "')";
        const std::string feedbackOfFirst =
            "SELECT score, thumbs_up, comment FROM feedback WHERE request_id = '" + first + "'";
        for (int poll = 0; poll < 2; ++poll) {
            rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
            QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
            QVERIFY(report.caughtUp);
            QCOMPARE(count(store.value(), countOfBoth), std::int64_t(1));
            auto row = store->database().prepare(feedbackOfFirst);
            QVERIFY(row.ok() && row->step().valueOr(false));
            QCOMPARE(row->real(0), 0.0);
            QCOMPARE(row->int64(1), std::int64_t(0));
            QCOMPARE(row->text(2), std::string("it answered in Spanish"));
        }
        auto cursor = store->cursor("router-fb");
        QVERIFY(cursor.ok() && cursor.value());
        QVERIFY2(cursor.value()->find(':') != std::string::npos, cursor.value()->c_str()); // both cursors kept

        // After the poll: a repeat is not sent again; new feedback and a changed one are, once.
        QCOMPARE(feedback(kAnaKey, down).status, 200);
        auto page = connector.fetch(cursor.value());
        QVERIFY(page.ok());
        QVERIFY(page->batch.feedback.empty());
        QCOMPARE(feedback(kAnaKey, {{"request_id", second}, {"score", 0.9}}).status, 200);
        QCOMPARE(feedback(kAnaKey, {{"request_id", first}, {"score", 0.4}, {"comment", "better after a retry"}}).status,
                 200);
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QCOMPARE(count(store.value(), countOfBoth), std::int64_t(2));
        auto row = store->database().prepare(feedbackOfFirst);
        QVERIFY(row.ok() && row->step().valueOr(false));
        QCOMPARE(row->real(0), 0.4);
        QVERIFY(row->isNull(1));
        QCOMPARE(row->text(2), std::string("better after a retry"));
        QCOMPARE(
            count(store.value(), "SELECT count(*) FROM feedback WHERE request_id = '" + second + "' AND score = 0.9"),
            std::int64_t(1));
        cursor = store->cursor("router-fb");
        QVERIFY(cursor.ok() && cursor.value());
        page = connector.fetch(cursor.value());
        QVERIFY(page.ok());
        QVERIFY(page->batch.feedback.empty());
        QVERIFY(page->batch.events.empty());
    }

    // The same prompt (up to case, spaces and punctuation) asked again by the same user and app with the frontier
    // tier pinned: the later event names the earlier one; another user's identical prompt does not.
    void anEscalationIsRecordedAndPolled()
    {
        const std::string before = metric(port(), "routeledger_escalations_total");
        const std::string first = chat(kAnaKey, "Which clause sets the notice period?");
        const std::string again = chat(kAnaKey, "  which clause sets the NOTICE period ", "frontier");
        const std::string bob = chat(kBobKey, "Which clause sets the notice period?", "frontier");
        QVERIFY(!first.empty() && !again.empty() && !bob.empty());
        std::map<std::string, json> events;
        waitUntil([&] {
            for (const json &event : ledgerEvents(port()))
                events[event["request_id"].get<std::string>()] = event;
            return events.count(first) && events.count(again) && events.count(bob);
        });
        QVERIFY(events.count(again));
        QCOMPARE(events[first]["tier"], json("light"));
        QCOMPARE(events[again]["tier"], json("frontier"));
        QCOMPARE(events[again]["escalation_of"], json(first));
        QVERIFY(!events[first].contains("escalation_of"));
        QVERIFY(!events[bob].contains("escalation_of"));
        QCOMPARE(metric(port(), "routeledger_escalations_total"), std::to_string(std::stoi(before) + 1));

        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/store.db").toStdString());
        QVERIFY(store.ok());
        rl::HttpClient http;
        rl::RouterUsageConnector connector(http, "router-esc", "http://127.0.0.1:" + std::to_string(port()),
                                           kAdminToken);
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QCOMPARE(count(store.value(), "SELECT count(*) FROM usage_events WHERE request_id = '" + again
                                          + "' AND escalation_of = '" + first + "'"),
                 std::int64_t(1));
        QCOMPARE(count(store.value(), "SELECT count(*) FROM usage_events WHERE escalation_of IS NOT NULL AND "
                                      "escalation_of <> ''"),
                 std::int64_t(1));
    }
};

ROUTELEDGER_TEST_SUITE(TestRouterFeedback)
#include "tst_routerfeedback.moc"

// The router against hostile and broken input (issue 10): the real routeledger-router process on loopback,
// in front of the fake upstream, sent what an attacker or a broken client would send. Each case checks the
// answer, and that the router is still whole afterwards: /healthz answers, the gauges are back to zero and
// no file descriptor leaked.
#include "asioincludes.h" // Asio with the GCC 12 workarounds
#include "digest.h"
#include "httptestclient.h"
#include "net/httpclient.h"
#include "routerprocess.h"
#include "sources/routerusageconnector.h"
#include "sources/sourcepoller.h"
#include "store/usagequeries.h"
#include "store/usagestore.h"
#include "waituntil.h"

#include <QDir>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <atomic>
#include <future>
#include <random>
#include <set>
#include <thread>

using nlohmann::json;
using Headers = std::map<std::string, std::string>;

namespace {

const char *const kAdminToken = "hardening-admin-token-0123456789";
const char *const kClientKey = "sk-hardening-client";

json testPolicy(int version)
{
    json policy = json::parse(R"({
      "schema": "routeledger.policy/v1", "name": "hardening", "version": 1,
      "tiers": [{"name": "frontier", "models": ["alpha/big"]}, {"name": "mid", "models": ["alpha/mid"]},
                {"name": "light", "models": ["alpha/small"]}],
      "default_tier": "mid",
      "rules": [{"id": "legal-frontier", "when": {"team": {"in": ["legal"]}}, "then": {"tier": "frontier"}}]
    })");
    policy["version"] = version;
    return policy;
}

// A policy of `rules` rules, each with a condition of its own (no shadowing), for the install figures.
json bigPolicy(int version, int rules)
{
    json policy = testPolicy(version);
    json list = json::array();
    for (int i = 0; i < rules; ++i)
        list.push_back(
            {{"id", "r" + std::to_string(i)},
             {"when", {{"all", {{{"team", {{"eq", "team" + std::to_string(i)}}}}, {{"complexity", {{"lt", 0.5}}}}}}}},
             {"then", {{"tier", i % 2 ? "light" : "frontier"}}}});
    policy["rules"] = list;
    return policy;
}

std::string chatBody(const std::string &model = "auto", const std::string &prompt = "Say hi")
{
    return json{{"model", model}, {"messages", json::array({{{"role", "user"}, {"content", prompt}}})}}.dump();
}

std::string nestedArrays(int depth)
{
    return std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']');
}

std::string nestedObjects(int depth)
{
    std::string out;
    for (int i = 0; i < depth; ++i)
        out += "{\"a\":";
    return out + "1" + std::string(static_cast<std::size_t>(depth), '}');
}

// One HTTP/1.1 request as bytes, with Content-Length for a body and Connection: close.
std::string rawRequest(const std::string &method, const std::string &target, const Headers &headers,
                       const std::string &body = {})
{
    std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto &[name, value] : headers)
        out += name + ": " + value + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT")
        out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    return out + "\r\n" + body;
}

int statusOf(const std::string &answer)
{
    static const QRegularExpression line(QStringLiteral("^HTTP/1\\.[01] (\\d{3}) "));
    auto match = line.match(QString::fromLatin1(answer.substr(0, 32)));
    return match.hasMatch() ? match.captured(1).toInt() : 0;
}

std::string bodyOf(const std::string &answer)
{
    auto end = answer.find("\r\n\r\n");
    return end == std::string::npos ? std::string() : answer.substr(end + 4);
}

Headers admin()
{
    return {{"Authorization", std::string("Bearer ") + kAdminToken}};
}

// The value of an unlabelled gauge or counter in a /metrics page; -1 when it is not there.
double metric(const std::string &page, const std::string &name)
{
    std::size_t at = 0;
    while ((at = page.find(name + " ", at)) != std::string::npos) {
        if (at == 0 || page[at - 1] == '\n')
            return std::stod(page.substr(at + name.size() + 1));
        at += name.size();
    }
    return -1;
}

double metricWithLabels(const std::string &page, const std::string &nameAndLabels)
{
    auto at = page.find("\n" + nameAndLabels + " ");
    return at == std::string::npos ? -1 : std::stod(page.substr(at + nameAndLabels.size() + 2));
}

// The router's open file descriptors, less its pooled keep-alive connections to the upstream (the pool
// keeps a few after a burst, by design): what a leak would grow.
int descriptorsBesidesUpstreamPool(qint64 pid, std::uint16_t upstreamPort)
{
    std::set<QString> pooled; // socket inodes whose remote end is the upstream
    for (const char *table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        QFile file(QString::fromLatin1(table));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> lines = file.readAll().split('\n');
        for (const QByteArray &line : lines) {
            const QList<QByteArray> fields = line.simplified().split(' ');
            if (fields.size() < 10 || !fields[2].contains(':'))
                continue;
            bool ok = false;
            const unsigned remotePort = fields[2].split(':').last().toUInt(&ok, 16);
            if (ok && remotePort == upstreamPort)
                pooled.insert(QString::fromLatin1(fields[9]));
        }
    }
    const QString folder = "/proc/" + QString::number(pid) + "/fd";
    int count = 0;
    for (const QString &fd : QDir(folder).entryList(QDir::NoDotAndDotDot | QDir::System)) {
        const QString target = QFile::symLinkTarget(folder + "/" + fd);
        static const QRegularExpression socket(QStringLiteral("socket:\\[(\\d+)\\]"));
        const auto match = socket.match(target);
        if (match.hasMatch() && pooled.count(match.captured(1)))
            continue;
        ++count;
    }
    return count;
}

} // namespace

class TestRouterHardening : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    FakeUpstream m_upstream;
    std::unique_ptr<RouterProcess> m_router;
    int m_routerCount = 0;

    json config(const json &overrides = json::object())
    {
        json c = {{"listen", "127.0.0.1:0"},
                  {"admin_token_env", "RL_HARDENING_ADMIN_TOKEN"},
                  {"policy_file", "policy.json"},
                  {"ledger", "ledger.db"},
                  {"trust_identity_headers", true},
                  {"max_body_bytes", 8 << 20},
                  {"threads", 2},
                  {"timeouts", {{"client_ms", 2000}, {"first_byte_ms", 2000}, {"idle_ms", 2000}}},
                  {"group_commit_ms", 20},
                  {"shutdown_grace_ms", 60000},
                  {"providers",
                   {{{"name", "alpha"},
                     {"base_url", m_upstream.baseUrl("/a/v1").toStdString()},
                     {"models", {"alpha/big", "alpha/mid", "alpha/small"}}}}}};
        for (auto it = overrides.begin(); it != overrides.end(); ++it)
            c[it.key()] = it.value();
        return c;
    }

    void startRouter(const json &overrides = json::object(), const json &policy = testPolicy(1))
    {
        QString folder = m_dir.path() + "/router" + QString::number(++m_routerCount);
        QVERIFY(QDir().mkpath(folder));
        m_router = std::make_unique<RouterProcess>(folder);
        QVERIFY(m_router->writeFile("policy.json", QByteArray::fromStdString(policy.dump(2))));
        QString error;
        QVERIFY2(m_router->start(config(overrides), &error, {QString("RL_HARDENING_ADMIN_TOKEN=") + kAdminToken}),
                 qPrintable(error));
    }

    std::uint16_t port() const { return m_router->port(); }

    std::string send(const std::string &bytes) { return rawExchange(port(), bytes, std::chrono::seconds(10)); }

    // The router writes its log as it goes; the pipe is read until the line is there.
    bool stderrContains(const char *text)
    {
        return waitUntil([&] { return m_router->standardError().contains(text); });
    }

    std::string metrics()
    {
        HttpTestClient client(port());
        return client.get("/metrics").body;
    }

    // The router is whole: it answers, and only the probe's own connection and request (this /metrics) are
    // open and in flight.
    void verifyHealthy()
    {
        HttpTestClient probe(port());
        QCOMPARE(probe.get("/healthz").status, 200);
        std::string page;
        const bool settled = waitUntil([&] {
            page = probe.get("/metrics").body;
            return metric(page, "routeledger_in_flight_requests") == 1
                   && metric(page, "routeledger_open_connections") == 1;
        });
        QVERIFY2(settled, page.c_str());
    }

    json putPolicy(const json &policy, int *status, std::string *etag = nullptr)
    {
        HttpTestClient client(port());
        const std::string current = client.get("/admin/policy", admin()).header("etag");
        Headers headers = admin();
        headers["If-Match"] = current;
        HttpReply reply = client.request("PUT", "/admin/policy", policy.dump(), headers);
        *status = reply.status;
        if (etag)
            *etag = reply.header("etag");
        return json::parse(reply.body, nullptr, false);
    }

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

    // --- 1. nesting ---------------------------------------------------------------------------------

    void deepNestingIsRefusedEverywhere_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("expected");
        const std::string message = R"("messages":[{"role":"user","content":"hi"}])";
        auto row = [&](const char *name, const char *method, const char *target, const std::string &body, int status,
                       const char *expected) {
            QTest::newRow(name) << method << target << QByteArray::fromStdString(body) << status << expected;
        };
        row("80,000 arrays in a field", "POST", "/v1/chat/completions",
            "{" + message + ",\"x\":" + nestedArrays(80000) + "}", 400, "nesting deeper than 128 levels");
        row("20,000 objects in a field", "POST", "/v1/chat/completions",
            "{" + message + ",\"x\":" + nestedObjects(20000) + "}", 400, "nesting deeper than 128 levels");
        row("arrays inside content", "POST", "/v1/chat/completions",
            R"({"messages":[{"role":"user","content":)" + nestedArrays(80000) + "}]}", 400,
            "nesting deeper than 128 levels");
        row("objects inside a tool schema", "POST", "/v1/chat/completions",
            "{" + message + R"(,"tools":[{"type":"function","function":{"name":"f","parameters":)" + nestedObjects(1000)
                + "}}]}",
            400, "nesting deeper than 128 levels");
        row("a policy", "PUT", "/admin/policy", "{\"x\":" + nestedArrays(80000) + "}", 400,
            "nested deeper than 64 levels");
        row("a policy to validate", "POST", "/admin/policy/validate", "{\"x\":" + nestedObjects(80000) + "}", 200,
            "nested deeper than 64 levels");
        row("a dry-run request", "POST", "/admin/route", "{" + message + ",\"x\":" + nestedArrays(80000) + "}", 400,
            "nesting deeper than 128 levels");
    }
    void deepNestingIsRefusedEverywhere()
    {
        QFETCH(QString, method);
        QFETCH(QString, target);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, expected);
        Headers headers{{"Content-Type", "application/json"}};
        if (target.startsWith(QLatin1String("/admin/"))) {
            headers["Authorization"] = std::string("Bearer ") + kAdminToken;
            headers["If-Match"] = "*";
        }
        const std::string answer =
            send(rawRequest(method.toStdString(), target.toStdString(), headers, body.toStdString()));
        QCOMPARE(statusOf(answer), status);
        QVERIFY2(QString::fromStdString(bodyOf(answer)).contains(expected), answer.substr(0, 400).c_str());
        json parsed = json::parse(bodyOf(answer), nullptr, false);
        QVERIFY(!parsed.is_discarded());
        QCOMPARE(m_upstream.stats()["requests"].get<int>(), 0); // nothing reached the upstream
        verifyHealthy();
    }

    void structureWithinTheLimitsIsForwardedIntact()
    {
        HttpTestClient client(port());
        const std::string body =
            R"({"model":"auto","messages":[{"role":"user","content":"hi"}],"x":)" + nestedArrays(100) + "}";
        HttpReply reply = client.post("/v1/chat/completions", body, {{"Content-Type", "application/json"}});
        QCOMPARE(reply.status, 200);
        json last = m_upstream.stats()["last_requests"].back();
        QCOMPARE(QString::fromStdString(last["body"]["x"].dump()), QString::fromStdString(nestedArrays(100)));
    }

    void bodiesWithTooManyValuesAreRefused()
    {
        std::string body = R"({"model":"auto","messages":[{"role":"user","content":"hi"}],"x":[)";
        while (body.size() < (4u << 20))
            body += "[],";
        body += "[]]}";
        const std::string answer =
            send(rawRequest("POST", "/v1/chat/completions", {{"Content-Type", "application/json"}}, body));
        QCOMPARE(statusOf(answer), 400);
        QVERIFY2(bodyOf(answer).find("more than 250000 JSON values") != std::string::npos, bodyOf(answer).c_str());
        verifyHealthy();
    }

    // --- 2. invalid UTF-8 in every error path ----------------------------------------------------------

    void invalidUtf8IsAnsweredOnEveryErrorPath_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        const std::string token = std::string("Bearer ") + kAdminToken;
        QTest::newRow("415 content type") << QByteArray::fromStdString(
            rawRequest("POST", "/v1/chat/completions", {{"Content-Type", "text/\xff"}}, chatBody()))
                                          << 415;
        QTest::newRow("404 path") << QByteArray::fromStdString(rawRequest("GET", "/\xfe", {})) << 404;
        QTest::newRow("404 admin path") << QByteArray::fromStdString(
            rawRequest("GET", "/admin/\xff", {{"Authorization", token}}))
                                        << 404;
        QTest::newRow("400 policy body") << QByteArray::fromStdString(
            rawRequest("PUT", "/admin/policy", {{"Authorization", token}, {"If-Match", "*"}}, "{\"schema\": \"\xff\"}"))
                                         << 400;
        QTest::newRow("400 policy field") << QByteArray::fromStdString(
            rawRequest("PUT", "/admin/policy", {{"Authorization", token}, {"If-Match", "*"}},
                       testPolicy(9).dump().replace(0, 1, "{\"na\xffme\": 1, ")))
                                          << 400;
        QTest::newRow("412 If-Match") << QByteArray::fromStdString(rawRequest(
            "PUT", "/admin/policy", {{"Authorization", token}, {"If-Match", "\"v1-\xff\""}}, testPolicy(9).dump()))
                                      << 412;
        QTest::newRow("validate answers") << QByteArray::fromStdString(
            rawRequest("POST", "/admin/policy/validate", {{"Authorization", token}}, "[\"\xc3\x28\"]"))
                                          << 200;
        QTest::newRow("401 admin token") << QByteArray::fromStdString(
            rawRequest("GET", "/admin/policy", {{"Authorization", "Bearer \xff\xfe"}}))
                                         << 401;
    }
    void invalidUtf8IsAnsweredOnEveryErrorPath()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        for (int round = 0; round < 100; ++round) {
            const std::string answer = send(request.toStdString());
            QCOMPARE(statusOf(answer), status);
            // The answer is valid UTF-8 JSON (nlohmann refuses anything else).
            json body = json::parse(bodyOf(answer), nullptr, false);
            QVERIFY2(!body.is_discarded(), bodyOf(answer).c_str());
        }
        verifyHealthy();
    }

    // With the gauges right, SIGTERM finds nothing in flight and exits at once, not after its 60 s grace.
    void terminateFindsNothingInFlightAfterTheErrorPaths()
    {
        for (int round = 0; round < 100; ++round)
            QCOMPARE(
                statusOf(send(rawRequest("POST", "/v1/chat/completions", {{"Content-Type", "text/\xff"}}, chatBody()))),
                415);
        QCOMPARE(m_router->terminate(20000), 0);
        QVERIFY2(!m_router->standardError().contains("still running"), m_router->standardError().constData());
        startRouter();
    }

    // --- 3. policy install off the serving threads -----------------------------------------------------

    // One serving thread: if the install ran on it, nothing else could be answered until it finished.
    // The admin gauge is read over /metrics while the install runs, which proves the worker kept serving.
    void policyInstallDoesNotStallTheServingThread()
    {
        startRouter({{"threads", 1}});
        // Big enough that the install takes a while: under the sanitizers (-O0) a tenth of the rules already takes
        // seconds, and the full size took two minutes of the CI run.
#if defined(__SANITIZE_ADDRESS__)
        constexpr int kRules = 2000;
#else
        constexpr int kRules = 20000;
#endif
        const std::string policy = bigPolicy(2, kRules).dump();
        QVERIFY(policy.size() < (4u << 20));
        const std::uint16_t routerPort = port();
        auto put = std::async(std::launch::async, [routerPort, &policy] {
            HttpTestClient client(routerPort, std::chrono::seconds(120));
            Headers headers = admin();
            headers["If-Match"] = "*";
            return client.request("PUT", "/admin/policy", policy, headers);
        });
        HttpTestClient probe(port());
        bool sawRunning = false;
        int answeredMeanwhile = 0;
        while (put.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready) {
            const std::string page = probe.get("/metrics").body;
            if (metric(page, "routeledger_admin_requests_running") == 1)
                sawRunning = true;
            if (sawRunning && probe.get("/healthz").status == 200)
                ++answeredMeanwhile;
        }
        HttpReply reply = put.get();
        QCOMPARE(reply.status, 200);
        QVERIFY(sawRunning);
        QVERIFY(answeredMeanwhile > 0);
        HttpTestClient client(port());
        QCOMPARE(json::parse(client.get("/admin/policy", admin()).body)["rules"].size(), std::size_t(kRules));
        startRouter();
    }

    // --- 4. versions only go up, in PUT and at start ---------------------------------------------------

    void aPolicyVersionMustIncreaseAndRestartsKeepTheHighest()
    {
        startRouter({}, testPolicy(1));
        int status = 0;
        const std::string etagOfOne = HttpTestClient(port()).get("/admin/policy", admin()).header("etag");
        json answer = putPolicy(testPolicy(2), &status);
        QCOMPARE(status, 200);
        QCOMPARE(answer["previous_version"].get<int>(), 1);
        QCOMPARE(answer["changed"].get<bool>(), true);
        {
            // A retry of that push, with the ETag it read before its first try: it succeeds, changing nothing.
            HttpTestClient retry(port());
            Headers headers = admin();
            headers["If-Match"] = etagOfOne;
            HttpReply again = retry.request("PUT", "/admin/policy", testPolicy(2).dump(), headers);
            QCOMPARE(again.status, 200);
            QCOMPARE(json::parse(again.body)["changed"].get<bool>(), false);
            // A different document with that stale ETag is still refused.
            json other = testPolicy(3);
            other["name"] = "other";
            QCOMPARE(retry.request("PUT", "/admin/policy", other.dump(), headers).status, 412);
        }

        for (int lower : {0, 1, 2}) {
            json other = testPolicy(lower);
            other["name"] = "other"; // a different document, so version 2 is not "the same policy again"
            answer = putPolicy(other, &status);
            QCOMPARE(status, 409);
            QCOMPARE(answer["error"]["code"].get<std::string>(), std::string("version_not_increasing"));
            QVERIFY2(answer["error"]["message"].get<std::string>().find("version 2 is in force") != std::string::npos,
                     answer.dump().c_str());
        }
        QVERIFY(stderrContains("refused a PUT of policy version 0"));
        // The same document again (a retried push) succeeds and changes nothing.
        answer = putPolicy(testPolicy(2), &status);
        QCOMPARE(status, 200);
        QCOMPARE(answer["changed"].get<bool>(), false);

        HttpTestClient client(port());
        QCOMPARE(json::parse(client.get("/admin/policy", admin()).body)["version"].get<int>(), 2);

        // A restart serves the highest version (the ledger's), not policy_file's version 1, and says why.
        QString error;
        QVERIFY2(m_router->restart(&error), qPrintable(error));
        HttpTestClient after(port());
        QCOMPARE(json::parse(after.get("/admin/policy", admin()).body)["version"].get<int>(), 2);
        QVERIFY2(stderrContains("policy from the ledger (version 2"), m_router->standardError().constData());
        QVERIFY(stderrContains("holds version 1, which is not newer"));

        // policy_file with a higher version wins at start, as a PUT of it would.
        QVERIFY(m_router->writeFile("policy.json", QByteArray::fromStdString(testPolicy(5).dump())));
        QVERIFY2(m_router->restart(&error), qPrintable(error));
        HttpTestClient third(port());
        QCOMPARE(json::parse(third.get("/admin/policy", admin()).body)["version"].get<int>(), 5);
        QVERIFY(stderrContains("newer than version 2 last pushed through the admin API"));
        startRouter();
    }

    // --- 5. unauthenticated bodies, connection cap -------------------------------------------------------

    // Only the headers are sent: the 401 arrives without the router waiting for (or reading) the 4 MiB.
    void unauthenticatedBodiesAreRefusedBeforeTheyAreRead_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("authorization");
        QTest::addColumn<QString>("code");
        QTest::newRow("chat, no key") << "/v1/chat/completions"
                                      << ""
                                      << "missing_api_key";
        QTest::newRow("chat, wrong key") << "/v1/chat/completions"
                                         << "Bearer sk-wrong"
                                         << "invalid_api_key";
        QTest::newRow("admin, no token") << "/admin/policy"
                                         << ""
                                         << "invalid_admin_token";
        QTest::newRow("admin, wrong token") << "/admin/policy"
                                            << "Bearer wrong"
                                            << "invalid_admin_token";
    }
    void unauthenticatedBodiesAreRefusedBeforeTheyAreRead()
    {
        QFETCH(QString, target);
        QFETCH(QString, authorization);
        QFETCH(QString, code);
        startRouter({{"clients", {{{"key_sha256", rl::sha256Hex(kClientKey)}, {"team", "legal"}}}}});
        std::string head = "PUT " + target.toStdString() + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           + "If-Match: *\r\nContent-Length: 4194304\r\n";
        if (target.startsWith(QLatin1String("/v1/")))
            head.replace(0, 3, "POST");
        if (!authorization.isEmpty())
            head += "Authorization: " + authorization.toStdString() + "\r\n";
        bool closed = false;
        const std::string answer = rawExchange(port(), head + "\r\n", std::chrono::seconds(10), &closed);
        QCOMPARE(statusOf(answer), 401);
        QVERIFY2(bodyOf(answer).find(code.toStdString()) != std::string::npos, answer.c_str());
        QVERIFY(closed);
        const std::string page = metrics();
        QVERIFY(metricWithLabels(page, "routeledger_rejected_requests_total{reason=\"" + code.toStdString() + "\"}")
                >= 1);
        verifyHealthy();
    }

    // Only chat completions and the admin API take a body: any other request is answered from its headers,
    // and the body it announces is never read (only the headers are sent here).
    void bodiesOnPathsThatTakeNoneAreNotRead_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("target");
        QTest::addColumn<int>("status");
        QTest::newRow("POST /healthz") << "POST"
                                       << "/healthz" << 404;
        QTest::newRow("POST /v1/models") << "POST"
                                         << "/v1/models" << 404;
        QTest::newRow("GET with a body") << "GET"
                                         << "/v1/chat/completions" << 405;
        QTest::newRow("unknown path") << "PUT"
                                      << "/nope" << 404;
    }
    void bodiesOnPathsThatTakeNoneAreNotRead()
    {
        QFETCH(QString, method);
        QFETCH(QString, target);
        QFETCH(int, status);
        const std::string head =
            method.toStdString() + " " + target.toStdString()
            + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4194304\r\n\r\n";
        bool closed = false;
        const std::string answer = rawExchange(port(), head, std::chrono::seconds(10), &closed);
        QCOMPARE(statusOf(answer), status);
        QVERIFY(closed);
        verifyHealthy();
    }

    void aKnownKeyWithExpectContinueIsAskedForItsBody()
    {
        startRouter({{"clients", {{{"key_sha256", rl::sha256Hex(kClientKey)}, {"team", "legal"}}}}});
        const std::string body = chatBody();
        const std::string head = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                 "Authorization: bearer "
                                 + std::string(kClientKey)
                                 + "\r\nExpect: 100-continue\r\n"
                                   "Connection: close\r\nContent-Length: "
                                 + std::to_string(body.size()) + "\r\n\r\n";
        namespace asio = boost::asio;
        asio::io_context context;
        asio::ip::tcp::socket socket(context);
        socket.connect({asio::ip::make_address("127.0.0.1"), port()});
        asio::write(socket, asio::buffer(head));
        std::string got;
        char chunk[512];
        while (got.find("\r\n\r\n") == std::string::npos) {
            boost::system::error_code ec;
            const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
            QVERIFY2(!ec, ec.message().c_str());
            got.append(chunk, n);
        }
        QVERIFY2(got.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0) == 0, got.c_str());
        asio::write(socket, asio::buffer(body));
        boost::system::error_code ec;
        for (;;) {
            const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
            got.append(chunk, n);
            if (ec)
                break;
        }
        QVERIFY2(got.find("HTTP/1.1 200 OK") != std::string::npos, got.c_str());
        QVERIFY(got.find("X-RouteLedger-Tier: frontier") != std::string::npos); // the key's team, legal
        startRouter();
    }

    void connectionsBeyondTheCapAreRefused()
    {
        startRouter({{"max_connections", 3}});
        namespace asio = boost::asio;
        asio::io_context context;
        std::vector<std::unique_ptr<asio::ip::tcp::socket>> held;
        for (int i = 0; i < 2; ++i) {
            held.push_back(std::make_unique<asio::ip::tcp::socket>(context));
            held.back()->connect({asio::ip::make_address("127.0.0.1"), port()});
        }
        HttpTestClient probe(port());
        std::string page;
        QVERIFY(waitUntil([&] {
            page = probe.get("/metrics").body;
            return metric(page, "routeledger_open_connections") == 3;
        }));
        // The client says nothing: the refusal comes at once, before any request (a request already sent
        // would make the close a reset).
        bool closed = false;
        const std::string refused = rawExchange(port(), std::string(), std::chrono::seconds(10), &closed);
        QCOMPARE(statusOf(refused), 503);
        QVERIFY2(bodyOf(refused).find("too_many_connections") != std::string::npos, refused.c_str());
        QVERIFY(closed);
        page = probe.get("/metrics").body;
        QCOMPARE(metric(page, "routeledger_refused_connections_total"), 1.0);
        held.clear(); // the two idle connections close
        QVERIFY(waitUntil([&] { return metric(probe.get("/metrics").body, "routeledger_open_connections") == 1; }));
        QCOMPARE(statusOf(send(rawRequest("GET", "/healthz", {}))), 200);
        startRouter();
    }

    // --- 7. smaller ------------------------------------------------------------------------------------

    void transferCodingsOtherThanChunkedAreRefused_data()
    {
        QTest::addColumn<QString>("coding");
        QTest::addColumn<int>("status");
        QTest::newRow("identity") << "identity" << 501;
        QTest::newRow("gzip, chunked") << "gzip, chunked" << 501;
        QTest::newRow("gzip") << "gzip" << 501;
        QTest::newRow("chunked") << "chunked" << 200;
        QTest::newRow("Chunked") << "Chunked" << 200;
    }
    void transferCodingsOtherThanChunkedAreRefused()
    {
        QFETCH(QString, coding);
        QFETCH(int, status);
        const std::string body = chatBody();
        char size[16];
        std::snprintf(size, sizeof size, "%zx", body.size());
        const std::string request =
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Connection: close\r\nTransfer-Encoding: "
            + coding.toStdString() + "\r\n\r\n" + size + "\r\n" + body + "\r\n0\r\n\r\n";
        const std::string answer = send(request);
        QCOMPARE(statusOf(answer), status);
        if (status == 501)
            QVERIFY2(bodyOf(answer).find("unsupported_transfer_encoding") != std::string::npos, answer.c_str());
        verifyHealthy();
    }

    void theBearerSchemeIsCaseInsensitiveForBothEndpoints_data()
    {
        QTest::addColumn<QString>("scheme");
        QTest::addColumn<int>("status");
        QTest::newRow("Bearer") << "Bearer" << 200;
        QTest::newRow("bearer") << "bearer" << 200;
        QTest::newRow("BEARER") << "BEARER" << 200;
        QTest::newRow("bEaReR") << "bEaReR" << 200;
        QTest::newRow("Basic") << "Basic" << 401;
    }
    void theBearerSchemeIsCaseInsensitiveForBothEndpoints()
    {
        QFETCH(QString, scheme);
        QFETCH(int, status);
        if (QTest::currentDataTag() == QLatin1String("Bearer"))
            startRouter({{"clients", {{{"key_sha256", rl::sha256Hex(kClientKey)}, {"team", "legal"}}}}});
        HttpTestClient client(port());
        HttpReply policy =
            client.get("/admin/policy", {{"Authorization", scheme.toStdString() + "  " + kAdminToken + " "}});
        QCOMPARE(policy.status, status);
        HttpTestClient chat(port());
        HttpReply answer =
            chat.post("/v1/chat/completions", chatBody(), {{"Authorization", scheme.toStdString() + " " + kClientKey}});
        QCOMPARE(answer.status, status);
    }

    // An answer without usable token counts is recorded as unmetered (not as a free request), counted in
    // /metrics, and reaches the store, which shows it.
    void answersWithoutUsageAreRecordedAsUnmetered_data()
    {
        QTest::addColumn<QString>("usage");
        QTest::addColumn<bool>("stream");
        QTest::newRow("no usage") << R"({"usage":null})" << false;
        QTest::newRow("garbage usage") << R"({"raw_usage":{"prompt_tokens":"lots","completion_tokens":-1}})" << false;
        QTest::newRow("usage not an object") << R"({"raw_usage":"n/a"})" << false;
        QTest::newRow("stream without usage") << R"({"usage":null})" << true;
        QTest::newRow("metered") << R"({"usage":{"prompt_tokens":12,"completion_tokens":3}})" << false;
    }
    void answersWithoutUsageAreRecordedAsUnmetered()
    {
        QFETCH(QString, usage);
        QFETCH(bool, stream);
        startRouter();
        json entry = json::parse(usage.toStdString());
        entry["behaviour"] = "ok";
        QVERIFY(m_upstream.setBehaviours({{"mid", entry}}));
        json body = json::parse(chatBody());
        if (stream)
            body["stream"] = true;
        HttpTestClient client(port());
        HttpReply reply = client.post("/v1/chat/completions", body.dump(), {{"Content-Type", "application/json"}});
        QCOMPARE(reply.status, 200);
        const bool unmetered = QTest::currentDataTag() != QLatin1String("metered");

        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/store.db").toStdString());
        QVERIFY(store.ok());
        rl::HttpClient http;
        rl::RouterUsageConnector connector(http, "router", "http://127.0.0.1:" + std::to_string(port()), kAdminToken,
                                           100);
        // The ledger commits in the background (20 ms window): poll until the event is there.
        QVERIFY(waitUntil([&] {
            rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
            return !report.error && report.inserted == 1;
        }));
        auto queries = rl::UsageQueries::open((dir.path() + "/store.db").toStdString());
        QVERIFY(queries.ok());
        rl::UsageFilter filter;
        filter.fromDay = 0;
        filter.toDay = 1'000'000;
        auto totals = queries->totals(filter);
        QVERIFY(totals.ok());
        QCOMPARE(totals.value().requests, std::int64_t(1));
        QCOMPARE(totals.value().unmetered, std::int64_t(unmetered ? 1 : 0));
        const std::string page = metrics();
        QCOMPARE(metricWithLabels(page, "routeledger_unmetered_responses_total{model=\"alpha/mid\"}"),
                 unmetered ? 1.0 : -1.0);
    }

    // --- the HTTP-level fuzz test ----------------------------------------------------------------------

    // A few thousand random and mutated requests, on two connections' worth of threads; then the router
    // must answer /healthz with its gauges back to zero and no more file descriptors than before.
    void randomAndMutatedRequestsLeaveTheRouterWhole()
    {
        startRouter({{"timeouts", {{"client_ms", 300}, {"first_byte_ms", 2000}, {"idle_ms", 2000}}}});
        QVERIFY(m_upstream.setBehaviours({{"mid", "ok"}, {"big", "ok"}, {"small", "ok"}}));
        verifyHealthy();
        auto descriptors = [&] { return descriptorsBesidesUpstreamPool(m_router->pid(), m_upstream.port()); };
        const int fdsBefore = descriptors();
        QVERIFY(fdsBefore > 0);

        const std::string token = std::string("Bearer ") + kAdminToken;
        const std::vector<std::string> seeds = {
            rawRequest("POST", "/v1/chat/completions", {{"Content-Type", "application/json"}}, chatBody()),
            rawRequest("POST", "/v1/chat/completions",
                       {{"Content-Type", "application/json"}, {"X-RouteLedger-Team", "legal"}},
                       R"({"model":"auto","stream":true,"messages":[{"role":"user","content":"hi"}]})"),
            rawRequest("GET", "/v1/models", {}),
            rawRequest("GET", "/healthz", {}),
            rawRequest("GET", "/admin/policy", {{"Authorization", token}}),
            rawRequest("POST", "/admin/route", {{"Authorization", token}}, chatBody()),
            rawRequest("POST", "/admin/policy/validate", {{"Authorization", token}}, testPolicy(3).dump()),
            rawRequest("GET", "/admin/usage?after=0&limit=5", {{"Authorization", token}}),
        };
        const std::string alphabet = std::string("{}[]\",:\\ \r\n\t0123456789abcdefxyz-/.?&=%") + "\xff\xfe\xc3\x00";
        std::atomic<int> answered{0}, sent{0};
        auto worker = [&](unsigned seed, int count) {
            std::mt19937 random(seed);
            auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random); };
            for (int i = 0; i < count; ++i) {
                std::string bytes = seeds[pick(seeds.size())];
                const std::size_t mutations = 1 + pick(8);
                for (std::size_t m = 0; m < mutations && !bytes.empty(); ++m) {
                    const std::size_t at = pick(bytes.size());
                    switch (pick(7)) {
                    case 0: bytes[at] = alphabet[pick(alphabet.size())]; break; // flip
                    case 1: bytes.erase(at, 1 + pick(16)); break;               // cut
                    case 2: bytes.insert(at, std::string(1 + pick(4), alphabet[pick(alphabet.size())])); break;
                    case 3: bytes.resize(at); break;                                                 // truncate
                    case 4: bytes.insert(at, nestedArrays(static_cast<int>(50 + pick(400)))); break; // nest
                    case 5:
                        bytes.insert(bytes.find("\r\n") + 2,
                                     "Content-Length: " + std::to_string(pick(1 << 20)) + "\r\n");
                        break;
                    default:
                        bytes.insert(bytes.find("\r\n") + 2,
                                     "X-RouteLedger-Tags: " + std::string(1 + pick(300), '\xff') + "\r\n");
                        break;
                    }
                }
                ++sent;
                // Half-close after sending, so a truncated request ends at once instead of at client_ms.
                namespace asio = boost::asio;
                asio::io_context context;
                asio::ip::tcp::socket socket(context);
                boost::system::error_code ec;
                socket.connect({asio::ip::make_address("127.0.0.1"), port()}, ec);
                if (ec)
                    continue;
                asio::write(socket, asio::buffer(bytes), ec);
                socket.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
                std::string got;
                char chunk[4096];
                for (;;) {
                    const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
                    got.append(chunk, n);
                    if (ec)
                        break;
                }
                if (statusOf(got) != 0)
                    ++answered;
            }
        };
        std::thread a(worker, 1u, 1500);
        std::thread b(worker, 2u, 1500);
        a.join();
        b.join();
        QCOMPARE(sent.load(), 3000);
        QVERIFY(answered.load() > 1000); // most mutations still parse as HTTP and get an answer
        verifyHealthy();
        QVERIFY2(waitUntil([&] { return descriptors() <= fdsBefore; }),
                 qPrintable(QStringLiteral("%1 descriptors open, %2 before").arg(descriptors()).arg(fdsBefore)));
        QVERIFY(m_router->running());
    }
};

QTEST_GUILESS_MAIN(TestRouterHardening)
#include "tst_routerhardening.moc"

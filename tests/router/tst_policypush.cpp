// PolicyPusher against two real routeledger-router processes on loopback (and, for the readback check, the
// fixture server playing a gateway that drops a setting): applied with an identical readback, stale when a
// router was changed behind the app's back (412, with the router's version and the differences), overwritten
// knowingly, 409 for a version that is not higher, rejected with the router's error lines, an unreachable
// router (the others pushed all the same) and a wrong token in words, and dry runs that install nothing.
#include "deploy/policypusher.h"
#include "fixtureclient.h"
#include "httptestclient.h"
#include "nodeserver.h"
#include "routerprocess.h"
#include "routing/policyparser.h"
#include "routing/policywriter.h"
#include "testsuites.h"

#include <QDir>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using nlohmann::json;

namespace {

const char *const kAdminToken = "push-admin-token-7f3c0b9e21";

json policy(int version, const std::string &defaultTier = "mid")
{
    json p = json::parse(R"({
      "schema": "routeledger.policy/v1",
      "name": "push",
      "version": 1,
      "tiers": [
        {"name": "frontier", "models": ["alpha/big"]},
        {"name": "mid", "models": ["alpha/mid"]},
        {"name": "light", "models": ["alpha/small"]}
      ],
      "default_tier": "mid",
      "rules": [
        {"id": "legal-frontier", "when": {"team": {"in": ["legal"]}}, "then": {"tier": "frontier"}}
      ],
      "fallback": {"on": ["timeout", "server_error"], "max_attempts": 2, "across_tiers": "down"}
    })");
    p["version"] = version;
    p["default_tier"] = defaultTier;
    return p;
}

std::string canonical(const json &document)
{
    rl::PolicyLoad load = rl::PolicyParser::parse(document.dump());
    return load.ok() ? rl::PolicyWriter::toText(*load.policy) : std::string();
}

// A loopback port nothing listens on: bound, read, closed.
std::uint16_t closedPort()
{
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

bool anyContains(const std::vector<std::string> &lines, const std::string &needle)
{
    for (const std::string &line : lines)
        if (line.find(needle) != std::string::npos)
            return true;
    return false;
}

QByteArray describe(const rl::PushResult &result)
{
    std::string text = result.baseUrl + " " + std::string(rl::pushOutcomeName(result.outcome)) + ": " + result.summary;
    for (const std::string &line : result.details)
        text += "\n    " + line;
    return QByteArray::fromStdString(text);
}

} // namespace

class TestPolicyPush : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<RouterProcess> m_routers[2];
    NodeServer m_fixture;
    std::string m_installedEtag[2]; // what the "app" last installed on each router

    std::string url(int i) const { return "http://127.0.0.1:" + std::to_string(m_routers[i]->port()); }
    rl::PushTarget target(int i, std::optional<std::string> expectedEtag = std::nullopt) const
    {
        return {"router-" + std::string(1, char('a' + i)), url(i), kAdminToken, std::move(expectedEtag)};
    }
    static rl::PolicyPusher pusher()
    {
        rl::PolicyPusher::Options options;
        options.connectTimeout = std::chrono::milliseconds(2000);
        options.transferTimeout = std::chrono::milliseconds(10000);
        return rl::PolicyPusher(options);
    }
    // What router `i` serves, straight from its admin API.
    json served(int i, std::string *etag = nullptr) const
    {
        HttpTestClient client(m_routers[i]->port());
        HttpReply reply = client.get("/admin/policy", {{"Authorization", std::string("Bearer ") + kAdminToken}});
        if (etag)
            *etag = reply.header("etag");
        return json::parse(reply.body, nullptr, false);
    }
    void checkNoSecret(const std::vector<rl::PushResult> &results)
    {
        for (const rl::PushResult &r : results) {
            QVERIFY(r.summary.find(kAdminToken) == std::string::npos);
            QVERIFY(!anyContains(r.details, kAdminToken));
        }
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(!QStandardPaths::findExecutable("node").isEmpty(), "node is needed for the fixture server");
        for (int i = 0; i < 2; ++i) {
            const QString folder = m_dir.path() + "/router" + QString::number(i);
            QVERIFY(QDir().mkpath(folder));
            m_routers[i] = std::make_unique<RouterProcess>(folder);
            QVERIFY(m_routers[i]->writeFile("policy.json", QByteArray::fromStdString(policy(1).dump(2))));
            const json config = {{"listen", "127.0.0.1:0"},
                                 {"admin_token_env", "RL_PUSH_ADMIN_TOKEN"},
                                 {"policy_file", "policy.json"},
                                 {"ledger", "ledger.db"},
                                 {"threads", 1},
                                 {"providers",
                                  {{{"name", "alpha"},
                                    {"base_url", "http://127.0.0.1:9/v1"},
                                    {"models", {"alpha/big", "alpha/mid", "alpha/small"}}}}}};
            QString error;
            QVERIFY2(m_routers[i]->start(config, &error, {QString("RL_PUSH_ADMIN_TOKEN=") + kAdminToken}),
                     qPrintable(error));
        }
        QString error;
        QVERIFY2(m_fixture.start(ROUTELEDGER_TEST_DATA "/sources/fixture-server.js", &error), qPrintable(error));
    }

    void cleanupTestCase()
    {
        for (auto &router : m_routers)
            if (router)
                router->kill();
        m_fixture.stop();
    }

    void pushAppliesToBothAndReadsBack()
    {
        const std::vector<rl::PushResult> results = pusher().push(policy(2).dump(), {target(0), target(1)});
        QCOMPARE(results.size(), std::size_t(2));
        for (int i = 0; i < 2; ++i) {
            const rl::PushResult &r = results[static_cast<std::size_t>(i)];
            QVERIFY2(r.outcome == rl::PushOutcome::Applied, describe(r).constData());
            QCOMPARE(r.target, target(i).name); // in target order
            QCOMPARE(r.baseUrl, url(i));
            QCOMPARE(r.summary, std::string("applied: version 2 (was version 1), read back identical"));
            QVERIFY(r.routerVersion.has_value());
            QCOMPARE(*r.routerVersion, std::int64_t(2));
            QCOMPARE(r.routerDocument, canonical(policy(2)));
            std::string etag;
            QCOMPARE(served(i, &etag)["version"].get<int>(), 2);
            QCOMPARE(r.routerEtag, etag);
            QVERIFY(QByteArray::fromStdString(etag).startsWith("\"v2-"));
            m_installedEtag[i] = etag;
        }
        checkNoSecret(results);
    }

    void theSamePolicyAgainIsAppliedWithoutInstalling()
    {
        const std::vector<rl::PushResult> results =
            pusher().push(policy(2).dump(), {target(0, m_installedEtag[0]), target(1, m_installedEtag[1])});
        for (const rl::PushResult &r : results) {
            QVERIFY2(r.outcome == rl::PushOutcome::Applied, describe(r).constData());
            QCOMPARE(r.summary, std::string("applied: already in force (version 2); nothing to install"));
        }
    }

    // Router b gets version 5 behind the app's back; the app's next push (version 4, If-Match = what it
    // installed) is stale there, with the router's version and what differs, and applied on router a.
    void aRouterChangedBehindTheAppsBackIsStale()
    {
        HttpTestClient direct(m_routers[1]->port());
        HttpReply put = direct.request("PUT", "/admin/policy", policy(5, "light").dump(),
                                       {{"Authorization", std::string("Bearer ") + kAdminToken},
                                        {"If-Match", m_installedEtag[1]},
                                        {"Content-Type", "application/json"}});
        QCOMPARE(put.status, 200);
        const std::string routerEtag = put.header("etag");

        const std::vector<rl::PushResult> results =
            pusher().push(policy(4).dump(), {target(0, m_installedEtag[0]), target(1, m_installedEtag[1])});
        QVERIFY2(results[0].outcome == rl::PushOutcome::Applied, describe(results[0]).constData());
        const rl::PushResult &stale = results[1];
        QVERIFY2(stale.outcome == rl::PushOutcome::Stale, describe(stale).constData());
        QVERIFY(stale.routerVersion.has_value());
        QCOMPARE(*stale.routerVersion, std::int64_t(5));
        QCOMPARE(stale.routerEtag, routerEtag);
        QCOMPARE(stale.routerDocument, canonical(policy(5, "light")));
        QVERIFY2(stale.summary.find("changed since it was installed from here: it holds version 5")
                     != std::string::npos,
                 stale.summary.c_str());
        QVERIFY2(stale.summary.find("If-Match was " + m_installedEtag[1]) != std::string::npos, stale.summary.c_str());
        // The differences from the pushed policy to the router's: the version and the default tier.
        QVERIFY2(anyContains(stale.details, "4") && anyContains(stale.details, "5"), describe(stale).constData());
        QVERIFY2(anyContains(stale.details, "light"), describe(stale).constData());
        QCOMPARE(served(1)["version"].get<int>(), 5); // untouched
        m_installedEtag[0] = results[0].routerEtag;
        m_installedEtag[1] = stale.routerEtag; // reviewed: the admin now knows what router b holds
    }

    void overwriteKnowingly()
    {
        const std::vector<rl::PushResult> results = pusher().push(policy(6).dump(), {target(1, m_installedEtag[1])});
        QVERIFY2(results[0].outcome == rl::PushOutcome::Applied, describe(results[0]).constData());
        QCOMPARE(results[0].summary, std::string("applied: version 6 (was version 5), read back identical"));
        QCOMPARE(served(1)["version"].get<int>(), 6);
        QCOMPARE(served(1)["default_tier"].get<std::string>(), std::string("mid"));
        m_installedEtag[1] = results[0].routerEtag;
    }

    void aVersionThatIsNotHigherIsStale()
    {
        // Router b holds 6: version 5 with another document is refused with 409.
        const std::vector<rl::PushResult> results = pusher().push(policy(5, "frontier").dump(), {target(1)});
        const rl::PushResult &r = results[0];
        QVERIFY2(r.outcome == rl::PushOutcome::Stale, describe(r).constData());
        QCOMPARE(*r.routerVersion, std::int64_t(6));
        QVERIFY2(r.summary.find("publish as version 7 or later") != std::string::npos, r.summary.c_str());
        QVERIFY2(anyContains(r.details, "frontier"), describe(r).constData());
        QCOMPARE(served(1)["version"].get<int>(), 6);
    }

    void aModelWithoutAProviderIsRejectedWithTheRoutersLines()
    {
        json p = policy(7);
        p["tiers"][2]["models"] = {"alpha/small", "gamma/tiny"};
        const std::vector<rl::PushResult> results = pusher().push(p.dump(), {target(0), target(1)});
        for (const rl::PushResult &r : results) {
            QVERIFY2(r.outcome == rl::PushOutcome::Rejected, describe(r).constData());
            QVERIFY2(r.summary.find("1 error(s); nothing was changed") != std::string::npos, r.summary.c_str());
            QCOMPARE(r.details.size(), std::size_t(1));
            QVERIFY2(r.details[0].rfind("/tiers/2/models/1: no provider 'gamma'", 0) == 0, r.details[0].c_str());
        }
        QCOMPARE(served(0)["version"].get<int>(), 4);
        QCOMPARE(served(1)["version"].get<int>(), 6);
    }

    void anInvalidPolicyIsNeverSent()
    {
        json p = policy(8);
        p["default_tier"] = "nowhere";
        const std::vector<rl::PushResult> results = pusher().push(p.dump(), {target(0)});
        QVERIFY2(results[0].outcome == rl::PushOutcome::Rejected, describe(results[0]).constData());
        QVERIFY(results[0].summary.find("nothing was sent") != std::string::npos);
        QVERIFY(anyContains(results[0].details, "/default_tier"));
        QVERIFY(!results[0].routerVersion.has_value());
    }

    void anUnreachableRouterIsSaidInWordsAndTheOthersArePushed()
    {
        const std::string closed = "http://127.0.0.1:" + std::to_string(closedPort());
        const std::vector<rl::PushResult> results =
            pusher().push(policy(9).dump(), {{"gone", closed, kAdminToken, std::nullopt}, target(0)});
        QVERIFY2(results[0].outcome == rl::PushOutcome::Unreachable, describe(results[0]).constData());
        QCOMPARE(results[0].target, std::string("gone"));
        QVERIFY2(results[0].summary.find("Cannot connect to 127.0.0.1") != std::string::npos,
                 results[0].summary.c_str());
        QVERIFY2(results[1].outcome == rl::PushOutcome::Applied, describe(results[1]).constData());
        QCOMPARE(served(0)["version"].get<int>(), 9);

        const std::vector<rl::PushResult> dns =
            pusher().push(policy(9).dump(), {{"typo", "http://no-such-router.invalid:8080", kAdminToken, {}}});
        QVERIFY2(dns.front().outcome == rl::PushOutcome::Unreachable, describe(dns.front()).constData());
        QVERIFY2(dns.front().summary.find("no-such-router.invalid") != std::string::npos, dns.front().summary.c_str());
    }

    void aWrongTokenIsRejected()
    {
        const std::string wrong = "not-the-admin-token-123456";
        const std::vector<rl::PushResult> results =
            pusher().push(policy(10).dump(), {{"router-a", url(0), wrong, std::nullopt}});
        const rl::PushResult &r = results[0];
        QVERIFY2(r.outcome == rl::PushOutcome::Rejected, describe(r).constData());
        QVERIFY2(r.summary.find("the router refused the admin token (HTTP 401") != std::string::npos,
                 r.summary.c_str());
        QVERIFY(r.summary.find(wrong) == std::string::npos);
        QCOMPARE(served(0)["version"].get<int>(), 9);
    }

    // A gateway that answers 200 to the PUT and then serves the policy without its fallback settings.
    void aRouterServingSomethingElseReadsBackDifferent()
    {
        QVERIFY(fixture::control(m_fixture, "/control/reset", json::object()));
        json dropped = policy(2);
        dropped.erase("fallback");
        const json scripts = {
            {"/admin/policy",
             {{{"status", 200}, {"headers", {{"etag", "\"fx-1\""}}}, {"body", policy(1)}},
              {{"status", 200}, {"headers", {{"etag", "\"fx-2\""}}}, {"body", {{"installed", true}, {"version", 2}}}},
              {{"status", 200}, {"headers", {{"etag", "\"fx-2\""}}}, {"body", dropped}}}}};
        QVERIFY(fixture::control(m_fixture, "/control/script", scripts));
        const rl::PushTarget gateway{"gateway", m_fixture.url().toStdString(), kAdminToken, std::nullopt};
        const std::vector<rl::PushResult> results = pusher().push(policy(2).dump(), {gateway});
        const rl::PushResult &r = results[0];
        QVERIFY2(r.outcome == rl::PushOutcome::ReadbackDiffers, describe(r).constData());
        QVERIFY2(r.summary.find("accepted the policy (HTTP 200) but serves a different one") != std::string::npos,
                 r.summary.c_str());
        QVERIFY2(anyContains(r.details, "fallback"), describe(r).constData());
        QCOMPARE(r.routerEtag, std::string("\"fx-2\""));

        // What the gateway was sent: GET, PUT with If-Match from the GET and the canonical document, GET.
        rl::HttpClient http;
        auto sent = http.sendOnce({"GET", m_fixture.url("/control/requests").toStdString(), {}, {}});
        QVERIFY(sent.ok());
        const json requests = json::parse(sent->body);
        QCOMPARE(requests.size(), std::size_t(3));
        QCOMPARE(requests[0]["method"].get<std::string>(), std::string("GET"));
        QCOMPARE(requests[1]["method"].get<std::string>(), std::string("PUT"));
        QCOMPARE(requests[1]["headers"]["if-match"].get<std::string>(), std::string("\"fx-1\""));
        QCOMPARE(requests[1]["headers"]["authorization"].get<std::string>(), std::string("Bearer ") + kAdminToken);
        QCOMPARE(requests[1]["body"].get<std::string>(), canonical(policy(2)));
        QCOMPARE(requests[2]["method"].get<std::string>(), std::string("GET"));
    }

    void aDryRunValidatesAndInstallsNothing()
    {
        // a holds 9, b holds 6.
        std::vector<rl::PushResult> results = pusher().push(policy(11).dump(), {target(0), target(1)}, true);
        QVERIFY2(results[0].outcome == rl::PushOutcome::Applied, describe(results[0]).constData());
        QCOMPARE(results[0].summary, std::string("would apply: valid on this router, version 9 → 11"));
        QVERIFY2(results[1].outcome == rl::PushOutcome::Applied, describe(results[1]).constData());
        QCOMPARE(results[1].summary, std::string("would apply: valid on this router, version 6 → 11"));
        QCOMPARE(served(0)["version"].get<int>(), 9);
        QCOMPARE(served(1)["version"].get<int>(), 6);

        // Version 7 with another document: not higher than a's 9 (stale), higher than b's 6 (would apply).
        results = pusher().push(policy(7, "light").dump(), {target(0), target(1)}, true);
        QVERIFY2(results[0].outcome == rl::PushOutcome::Stale, describe(results[0]).constData());
        QCOMPARE(*results[0].routerVersion, std::int64_t(9));
        QVERIFY(anyContains(results[0].details, "light"));
        QVERIFY2(results[1].outcome == rl::PushOutcome::Applied, describe(results[1]).constData());

        // What the router would refuse, with its lines.
        json p = policy(12);
        p["rules"][0]["then"] = {{"model", "gamma/big"}};
        results = pusher().push(p.dump(), {target(0)}, true);
        QVERIFY2(results[0].outcome == rl::PushOutcome::Rejected, describe(results[0]).constData());
        QCOMPARE(results[0].details.size(), std::size_t(1));
        QVERIFY2(results[0].details[0].rfind("/rules/0/then/model: no provider 'gamma'", 0) == 0,
                 results[0].details[0].c_str());
        QCOMPARE(served(0)["version"].get<int>(), 9);
        checkNoSecret(results);
    }

    // A draft run in shadow (issue 14): installed as the shadow policy with its readback, whatever its version
    // (1 is below what both routers serve), the live policy untouched; installed again is applied without a PUT;
    // ended; ending again finds none.
    void aDraftRunsInShadowAndEnds()
    {
        const json liveBefore[2] = {served(0), served(1)};
        std::vector<rl::PushResult> results =
            pusher().push(policy(1, "light").dump(), {target(0), target(1)}, false, true);
        for (int i = 0; i < 2; ++i) {
            const rl::PushResult &r = results[static_cast<std::size_t>(i)];
            QVERIFY2(r.outcome == rl::PushOutcome::Applied, describe(r).constData());
            QCOMPARE(r.summary, std::string("in shadow: version 1 (no shadow before), read back identical; the live "
                                            "policy is unchanged"));
            QCOMPARE(r.routerDocument, canonical(policy(1, "light")));
            QCOMPARE(served(i), liveBefore[i]);
            auto shadow = pusher().read(target(i), true);
            QVERIFY(shadow.ok());
            QCOMPARE(shadow->document, canonical(policy(1, "light")));
        }
        results = pusher().push(policy(1, "light").dump(), {target(0)}, false, true);
        QVERIFY2(results[0].outcome == rl::PushOutcome::Applied, describe(results[0]).constData());
        QVERIFY(results[0].summary.find("already in force") != std::string::npos);

        results = pusher().endShadow({target(0), target(1)});
        for (const rl::PushResult &r : results) {
            QVERIFY2(r.outcome == rl::PushOutcome::Applied, describe(r).constData());
            QCOMPARE(r.summary, std::string("shadow mode ended (it ran version 1)"));
        }
        auto none = pusher().read(target(0), true);
        QVERIFY(none.ok());
        QVERIFY(none->document.empty());
        results = pusher().endShadow({target(0)});
        QCOMPARE(results[0].summary, std::string("no shadow policy was running; nothing to end"));
        QCOMPARE(served(0), liveBefore[0]);
        checkNoSecret(results);
    }
};

ROUTELEDGER_TEST_SUITE(TestPolicyPush)
#include "tst_policypush.moc"

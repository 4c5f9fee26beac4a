// core/net HttpClient against a local fixture server (tests/sources/fixture-server.js): answers, retries
// with backoff and Retry-After, every failure mapped to an error that says what to fix.
#include "fixtureclient.h"
#include "net/httpclient.h"
#include "nodeserver.h"
#include "testsuites.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <set>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using nlohmann::json;
using namespace std::chrono_literals;

class TestHttpClient : public QObject {
    Q_OBJECT

private:
    NodeServer m_server;

    rl::HttpClient::Options fastOptions()
    {
        rl::HttpClient::Options options;
        options.connectTimeout = 2000ms;
        options.transferTimeout = 3000ms;
        options.sleep = [](std::chrono::milliseconds) {}; // the waits are recorded, not slept
        options.jitterSeed = 42;
        return options;
    }

    void script(const json &scripts) { QVERIFY(fixture::script(m_server, scripts)); }
    json requests() { return fixture::requests(m_server); }

    std::string url(const char *path) { return m_server.url(path).toStdString(); }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_server.start(QString(ROUTELEDGER_TEST_DATA) + "/sources/fixture-server.js", &error),
                 qPrintable(error));
    }

    void init() { QVERIFY(fixture::reset(m_server)); }

    void answersCarryStatusHeadersAndBody()
    {
        script({{"/v1/thing", {{{"status", 200}, {"headers", {{"X-Page", "3"}}}, {"body", {{"ok", true}}}}}}});
        rl::HttpClient client(fastOptions());
        auto answer = client.send({"GET", url("/v1/thing?after=5"), {{"Authorization", "Bearer sk-test"}}, {}});
        QVERIFY2(answer.ok(), answer.ok() ? "" : answer.error().message.c_str());
        QCOMPARE(answer->status, 200L);
        QCOMPARE(answer->header("x-page"), std::string("3"));
        QCOMPARE(json::parse(answer->body)["ok"].get<bool>(), true);
        json seen = requests();
        QCOMPARE(seen.size(), std::size_t(1));
        QCOMPARE(seen[0]["query"]["after"].get<std::string>(), std::string("5"));
        QCOMPARE(seen[0]["headers"]["authorization"].get<std::string>(), std::string("Bearer sk-test"));
        QVERIFY(seen[0]["headers"]["user-agent"].get<std::string>().rfind("RouteLedger", 0) == 0);
        QVERIFY(seen[0]["headers"].contains("accept-encoding")); // compression offered
    }

    void transientFailuresAreRetried_data()
    {
        QTest::addColumn<QByteArray>("first");
        QTest::newRow("503") << QByteArray(R"({"status": 503})");
        QTest::newRow("502") << QByteArray(R"({"status": 502})");
        QTest::newRow("500") << QByteArray(R"({"status": 500})");
        QTest::newRow("connection reset") << QByteArray(R"({"action": "reset"})");
        QTest::newRow("reset mid body") << QByteArray(R"({"action": "reset_mid_body", "body": {"a": "0123456789"}})");
        QTest::newRow("truncated body") << QByteArray(R"({"action": "truncate", "body": {"a": 1}})");
    }
    void transientFailuresAreRetried()
    {
        QFETCH(QByteArray, first);
        json failure = json::parse(first.toStdString());
        script({{"/p", {failure, failure, {{"status", 200}, {"body", {{"page", 1}}}}}}});
        rl::HttpClient client(fastOptions());
        auto answer = client.send({"GET", url("/p"), {}, {}});
        QVERIFY2(answer.ok(), answer.ok() ? "" : answer.error().message.c_str());
        QCOMPARE(answer->status, 200L);
        QCOMPARE(client.waits().size(), std::size_t(2));
        QCOMPARE(requests().size(), std::size_t(3));
    }

    void retryAfterIsHonoured()
    {
        script({{"/limited",
                 {{{"status", 429}, {"headers", {{"Retry-After", "7"}}}},
                  {{"status", 503}, {"headers", {{"Retry-After", "2"}}}},
                  {{"status", 200}, {"body", "{}"}}}}});
        rl::HttpClient client(fastOptions());
        auto answer = client.send({"GET", url("/limited"), {}, {}});
        QVERIFY(answer.ok());
        QCOMPARE(client.waits().size(), std::size_t(2));
        QCOMPARE(client.waits()[0], std::chrono::milliseconds(7000));
        QCOMPARE(client.waits()[1], std::chrono::milliseconds(2000));
    }

    void aLongRetryAfterFailsWithTheTime()
    {
        script({{"/limited", {{{"status", 429}, {"headers", {{"Retry-After", "3600"}}}}}}});
        rl::HttpClient client(fastOptions());
        auto answer = client.send({"GET", url("/limited"), {}, {}});
        QVERIFY(!answer.ok());
        QCOMPARE(answer.error().code, std::string("http.rate_limited"));
        QVERIFY(answer.error().retryable);
        QVERIFY2(answer.error().message.find("Retry after 20") != std::string::npos, answer.error().message.c_str());
        QCOMPARE(requests().size(), std::size_t(1));
    }

    void attemptsAreBounded()
    {
        script({{"/down", {{{"status", 500}, {"body", "internal error"}}}}});
        rl::HttpClient::Options options = fastOptions();
        options.maxAttempts = 3;
        rl::HttpClient client(options);
        auto answer = client.send({"GET", url("/down"), {}, {}});
        QVERIFY(!answer.ok());
        QCOMPARE(answer.error().code, std::string("http.server_error"));
        QVERIFY(answer.error().message.find("internal error") != std::string::npos);
        QCOMPARE(requests().size(), std::size_t(3));
    }

    void clientErrorsSayWhatToFix_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("hint");
        QTest::newRow("401") << 401 << "auth.invalid"
                             << "check the API key";
        QTest::newRow("403") << 403 << "auth.forbidden"
                             << "lacks the permission";
        QTest::newRow("404") << 404 << "http.not_found"
                             << "/v1/organization/usage";
        QTest::newRow("400") << 400 << "http.refused"
                             << "HTTP 400";
    }
    void clientErrorsSayWhatToFix()
    {
        QFETCH(int, status);
        QFETCH(QString, code);
        QFETCH(QString, hint);
        script({{"/v1/organization/usage", {{{"status", status}, {"body", {{"error", {{"message", "nope"}}}}}}}}});
        rl::HttpClient client(fastOptions());
        auto answer = client.send({"GET", url("/v1/organization/usage"), {}, {}});
        QVERIFY(!answer.ok());
        QCOMPARE(QString::fromStdString(answer.error().code), code);
        QVERIFY2(answer.error().message.find(hint.toStdString()) != std::string::npos, answer.error().message.c_str());
        QVERIFY(answer.error().message.find("nope") != std::string::npos); // the server's own words
        QVERIFY(!answer.error().retryable);
        QCOMPARE(requests().size(), std::size_t(1)); // not retried
    }

    void oversizedAnswersAreRefused()
    {
        script({{"/big", {{{"big_bytes", 3 << 20}}}}});
        rl::HttpClient::Options options = fastOptions();
        options.maxBodyBytes = 1 << 20;
        rl::HttpClient client(options);
        auto answer = client.send({"GET", url("/big"), {}, {}});
        QVERIFY(!answer.ok());
        QCOMPARE(answer.error().code, std::string("net.too_large"));
        QCOMPARE(requests().size(), std::size_t(1));
    }

    void hangsTimeOut()
    {
        script({{"/hang", {{{"action", "hang"}}}}});
        rl::HttpClient::Options options = fastOptions();
        options.transferTimeout = 400ms;
        options.maxAttempts = 2;
        rl::HttpClient client(options);
        auto answer = client.send({"GET", url("/hang"), {}, {}});
        QVERIFY(!answer.ok());
        QCOMPARE(answer.error().code, std::string("net.timeout"));
        QVERIFY(answer.error().retryable);
        // What a hang comes to: every attempt reached the server and ended at the transfer timeout, with one
        // backoff between the two, and the call returned the last attempt's timeout.
        QCOMPARE(requests().size(), std::size_t(2));
        QCOMPARE(client.waits().size(), std::size_t(1));
    }

    void unreachableHosts_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("code");
        QTest::newRow("nothing listens") << "closed-port"
                                         << "net.connect";
        QTest::newRow("no such host") << "http://no-such-host.invalid/v1"
                                      << "net.dns";
        QTest::newRow("not a URL") << "ftp://example.com/x"
                                   << "net.bad_url";
    }
    void unreachableHosts()
    {
        QFETCH(QString, target);
        QFETCH(QString, code);
        std::string where = target.toStdString();
        if (target == "closed-port") {
            // A port that was free a moment ago.
            int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in address{};
            address.sin_family = AF_INET;
            address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address);
            socklen_t length = sizeof address;
            ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length);
            ::close(fd);
            where = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/v1";
        }
        rl::HttpClient::Options options = fastOptions();
        options.maxAttempts = 1;
        rl::HttpClient client(options);
        auto answer = client.send({"GET", where, {}, {}});
        QVERIFY(!answer.ok());
        QCOMPARE(QString::fromStdString(answer.error().code), code);
        QVERIFY(answer.error().message.size() > 30);
    }

    void tlsIsVerified()
    {
        QTemporaryDir dir;
        const QString cert = dir.path() + "/cert.pem", key = dir.path() + "/key.pem";
        QProcess openssl;
        openssl.start("openssl",
                      {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                       "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert});
        QVERIFY(openssl.waitForFinished(30000) && openssl.exitCode() == 0);
        NodeServer secure;
        QString error;
        QVERIFY2(secure.start(QString(ROUTELEDGER_TEST_DATA) + "/sources/fixture-server.js", &error,
                              {"TLS_CERT=" + cert, "TLS_KEY=" + key}),
                 qPrintable(error));
        const std::string target = "https://localhost:" + std::to_string(secure.port()) + "/control/requests";
        rl::HttpClient untrusting(fastOptions());
        auto refused = untrusting.send({"GET", target, {}, {}});
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, std::string("net.tls"));
        rl::HttpClient::Options options = fastOptions();
        options.caFile = cert.toStdString();
        rl::HttpClient trusting(options);
        auto answer = trusting.send({"GET", target, {}, {}});
        QVERIFY2(answer.ok(), answer.ok() ? "" : answer.error().message.c_str());
        QCOMPARE(answer->status, 200L);
    }

    void backoffGrowsWithJitter()
    {
        rl::HttpClient::Options options = fastOptions();
        options.backoffBase = 100ms;
        options.backoffMax = 1000ms;
        rl::HttpClient client(options);
        for (int attempt = 1; attempt <= 8; ++attempt) {
            const auto ceiling = std::min<long long>(1000, 100LL << (attempt - 1));
            std::set<long long> seen;
            for (int i = 0; i < 200; ++i) {
                const long long wait = client.backoff(attempt).count();
                QVERIFY(wait >= 0 && wait <= ceiling);
                seen.insert(wait);
            }
            QVERIFY(seen.size() > 20); // jittered, not a fixed delay
        }
    }

    void retryAfterParsing()
    {
        const std::int64_t now = 1'700'000'000; // 2023-11-14T22:13:20Z
        QCOMPARE(rl::HttpClient::parseRetryAfter("30", now), std::optional(std::chrono::milliseconds(30'000)));
        QCOMPARE(rl::HttpClient::parseRetryAfter("Tue, 14 Nov 2023 22:14:20 GMT", now),
                 std::optional(std::chrono::milliseconds(60'000)));
        QCOMPARE(rl::HttpClient::parseRetryAfter("Tue, 14 Nov 2023 22:00:00 GMT", now),
                 std::optional(std::chrono::milliseconds(0)));
        QVERIFY(!rl::HttpClient::parseRetryAfter("", now));
        QVERIFY(!rl::HttpClient::parseRetryAfter("soon", now));
        QVERIFY(!rl::HttpClient::parseRetryAfter("99999999999999", now));
    }
};

ROUTELEDGER_TEST_SUITE(TestHttpClient)
#include "tst_httpclient.moc"

// bearerToken and ClientIdentifier: who sent a chat request, from its headers alone.
#include "bearertoken.h"
#include "clientidentifier.h"
#include "digest.h"
#include "testsuites.h"

#include <QtTest>

#include <map>

namespace {

using Headers = std::map<std::string, std::string, std::less<>>;

rl::ClientIdentifier::HeaderLookup lookupIn(const Headers &headers)
{
    return [&headers](std::string_view name) -> std::string_view {
        auto it = headers.find(name);
        return it == headers.end() ? std::string_view() : std::string_view(it->second);
    };
}

} // namespace

class TestClientIdentifier : public QObject {
    Q_OBJECT
private slots:
    // RFC 7235: the scheme is case-insensitive; the chat endpoint and the admin API share this parser.
    void bearerToken_data()
    {
        QTest::addColumn<QString>("header");
        QTest::addColumn<QString>("token");
        QTest::newRow("Bearer") << "Bearer abc"
                                << "abc";
        QTest::newRow("bearer") << "bearer abc"
                                << "abc";
        QTest::newRow("BEARER") << "BEARER abc"
                                << "abc";
        QTest::newRow("bEaReR") << "bEaReR abc"
                                << "abc";
        QTest::newRow("spaces around") << "  Bearer   abc  "
                                       << "abc";
        QTest::newRow("tab") << "Bearer\tabc"
                             << "abc";
        QTest::newRow("no token") << "Bearer "
                                  << "";
        QTest::newRow("no space") << "Bearerabc"
                                  << "";
        QTest::newRow("Basic") << "Basic YWxhZGRpbjpvcGVuc2VzYW1l"
                               << "";
        QTest::newRow("empty") << ""
                               << "";
        QTest::newRow("scheme only") << "Bearer"
                                     << "";
    }
    void bearerToken()
    {
        QFETCH(QString, header);
        QFETCH(QString, token);
        QCOMPARE(QString::fromStdString(std::string(rl::bearerToken(header.toStdString()))), token);
    }

    void knownKeysNameTheClient()
    {
        rl::RouterConfig config;
        config.requireClientKey = true;
        config.clients.push_back({rl::sha256Hex("sk-legal"), "legal", "ana", "contracts", {"prod"}});
        rl::ClientIdentifier identifier(config);

        Headers headers{{"Authorization", "BEARER sk-legal "}, {"X-RouteLedger-Team", "spoofed"}};
        auto who = identifier.identify(lookupIn(headers));
        QVERIFY(who.ok());
        QCOMPARE(QString::fromStdString(who.value().team), QStringLiteral("legal"));
        QCOMPARE(QString::fromStdString(who.value().app), QStringLiteral("contracts"));

        headers = {{"Authorization", "Bearer sk-wrong"}};
        who = identifier.identify(lookupIn(headers));
        QVERIFY(!who.ok());
        QCOMPARE(QString::fromStdString(who.error().code), QStringLiteral("invalid_api_key"));
        headers = {};
        who = identifier.identify(lookupIn(headers));
        QVERIFY(!who.ok());
        QCOMPARE(QString::fromStdString(who.error().code), QStringLiteral("missing_api_key"));
    }

    void trustedHeadersFillInWhatTheKeyDoesNotSay()
    {
        rl::RouterConfig config;
        config.trustIdentityHeaders = true;
        config.clients.push_back({rl::sha256Hex("sk-app"), "", "", "billing", {}});
        rl::ClientIdentifier identifier(config);
        Headers headers{{"Authorization", "Bearer sk-app"},
                        {"X-RouteLedger-Team", " support "},
                        {"X-RouteLedger-User", std::string("b\xff\x01ob")},
                        {"X-RouteLedger-App", "spoofed"},
                        {"X-RouteLedger-Tags", "a, ,b,"},
                        {"X-RouteLedger-Budget-Used", "0.93"}};
        auto who = identifier.identify(lookupIn(headers));
        QVERIFY(who.ok());
        QCOMPARE(QString::fromStdString(who.value().team), QStringLiteral("support"));
        QCOMPARE(QString::fromStdString(who.value().user), QStringLiteral("b\uFFFDob")); // clean UTF-8, no controls
        QCOMPARE(QString::fromStdString(who.value().app), QStringLiteral("billing"));    // the key says it
        QCOMPARE(who.value().tags, (std::vector<std::string>{"a", "b"}));
        QCOMPARE(who.value().budgetUsed, 0.93);

        for (const char *bad : {"nan", "-1", "1e9", "0.5x", ""}) {
            headers["X-RouteLedger-Budget-Used"] = bad;
            QCOMPARE(identifier.identify(lookupIn(headers)).value().budgetUsed, 0.0);
        }
    }

    void untrustedHeadersAreIgnored()
    {
        rl::RouterConfig config;
        rl::ClientIdentifier identifier(config);
        Headers headers{{"X-RouteLedger-Team", "legal"}};
        auto who = identifier.identify(lookupIn(headers));
        QVERIFY(who.ok());
        QVERIFY(who.value().team.empty());
    }
};

ROUTELEDGER_TEST_SUITE(TestClientIdentifier)
#include "tst_clientidentifier.moc"

// The two doors that take `Authorization: Bearer`: the chat endpoint (ClientIdentifier, before a request's
// body is read) and the admin API (AdminApi::authorize). Both read the header with the one parser
// (router/bearertoken.h), so a header one accepts the other accepts, and a header one refuses the other
// refuses: the scheme in any case, spaces and tabs around the token dropped, nothing else tolerated.
#include "adminapi.h"
#include "clientidentifier.h"
#include "clock.h"
#include "digest.h"
#include "policyholder.h"
#include "routing/policyparser.h"
#include "routing/routingengine.h"
#include "testsuites.h"
#include "usageledger.h"

#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace {

// The same secret is the client key of the chat endpoint and the admin token, so each header is judged by
// both doors on the same token.
const std::string kKey = "sk-shared-0123456789abcdef";

std::shared_ptr<const rl::Policy> onePolicy()
{
    return rl::PolicyParser::parse(R"({"schema":"routeledger.policy/v1","name":"auth","version":1,
        "tiers":[{"name":"mid","models":["openai/gpt-5-mini"]}],"default_tier":"mid","rules":[]})")
        .policy;
}

} // namespace

class TestBearerAuth : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    rl::RouterConfig m_config;
    std::unique_ptr<rl::UsageLedger> m_ledger;
    std::unique_ptr<rl::PolicyHolder> m_policies;
    rl::RoutingEngine m_engine;
    std::unique_ptr<rl::AdminApi> m_admin;
    std::unique_ptr<rl::ClientIdentifier> m_identifier;

    // "accepted" when the chat endpoint takes the request as the known client, "refused" when it refuses it
    // the way it refuses a missing or wrong key; anything else names what happened.
    QString chatVerdict(const std::string &authorization) const
    {
        auto who = m_identifier->identify([&](std::string_view name) -> std::string_view {
            return name == "Authorization" ? std::string_view(authorization) : std::string_view();
        });
        if (who.ok())
            return who.value().team == "legal" ? QStringLiteral("accepted") : QStringLiteral("accepted as nobody");
        const std::string &code = who.error().code;
        return code == "missing_api_key" || code == "invalid_api_key" ? QStringLiteral("refused")
                                                                      : QString::fromStdString("error " + code);
    }

    // The same for the admin API: a refusal is a 401 with the Bearer challenge.
    QString adminVerdict(const std::string &authorization) const
    {
        rl::HttpRequest request(rl::http::verb::get, "/admin/policy", 11);
        request.set(rl::http::field::authorization, authorization);
        std::optional<rl::HttpResponse> refused = m_admin->authorize(request);
        if (!refused)
            return QStringLiteral("accepted");
        const std::string challenge((*refused)[rl::http::field::www_authenticate]);
        if (refused->result() == rl::http::status::unauthorized && challenge.rfind("Bearer ", 0) == 0)
            return QStringLiteral("refused");
        return QStringLiteral("status %1, challenge '%2'")
            .arg(refused->result_int())
            .arg(QString::fromStdString(challenge));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_config.requireClientKey = true;
        m_config.clients.push_back({rl::sha256Hex(kKey), "legal", "ana", "contracts", {}});
        m_config.adminToken = kKey;
        auto ledger = rl::UsageLedger::open(m_dir.filePath(QStringLiteral("ledger.db")).toStdString(),
                                            std::chrono::milliseconds(20));
        QVERIFY(ledger.ok());
        m_ledger = std::move(ledger.value());
        auto policy = onePolicy();
        QVERIFY(policy);
        m_policies = std::make_unique<rl::PolicyHolder>(policy);
        m_admin =
            std::make_unique<rl::AdminApi>(m_config, *m_policies, *m_ledger, m_engine, rl::fixedClock(1767607200000));
        m_identifier = std::make_unique<rl::ClientIdentifier>(m_config);
    }

    void cleanupTestCase()
    {
        if (m_ledger)
            m_ledger->stop();
    }

    void bothDoorsJudgeAHeaderAlike_data()
    {
        QTest::addColumn<QString>("authorization");
        QTest::addColumn<bool>("accepted");
        const QString key = QString::fromStdString(kKey);
        QTest::newRow("Bearer KEY") << "Bearer " + key << true;
        QTest::newRow("bearer, two spaces, trailing space") << "bearer  " + key + " " << true;
        QTest::newRow("BEARER") << "BEARER " + key << true;
        QTest::newRow("tabs around") << "\tBearer\t" + key + "\t" << true;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("scheme only") << "Bearer" << false;
        QTest::newRow("scheme and space") << "Bearer " << false;
        QTest::newRow("no space after the scheme") << "Bearer" + key << false;
        QTest::newRow("colon after the scheme") << "Bearer: " + key << false;
        QTest::newRow("another scheme") << "Basic " + key << false;
        QTest::newRow("token alone") << key << false;
        QTest::newRow("two tokens") << "Bearer " + key + " " + key << false;
        QTest::newRow("token with a suffix") << "Bearer " + key + "x" << false;
        QTest::newRow("token cut short") << "Bearer " + key.chopped(1) << false;
        QTest::newRow("token in another case") << "Bearer " + key.toUpper() << false;
    }
    void bothDoorsJudgeAHeaderAlike()
    {
        QFETCH(QString, authorization);
        QFETCH(bool, accepted);
        const std::string header = authorization.toStdString();
        const QString expected = accepted ? QStringLiteral("accepted") : QStringLiteral("refused");
        QCOMPARE(chatVerdict(header), expected);
        QCOMPARE(adminVerdict(header), expected);
    }
};

ROUTELEDGER_TEST_SUITE(TestBearerAuth)
#include "tst_bearerauth.moc"

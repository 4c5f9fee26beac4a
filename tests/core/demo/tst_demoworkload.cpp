// The demo workload: deterministic for a seed, and shaped the way the dashboard needs to show it.
#include "demo/demoworkload.h"
#include "testsuites.h"

#include <QTemporaryDir>
#include <QTest>

namespace {

constexpr std::int64_t kEnd = 1764288000000; // 2025-11-28T00:00:00Z
constexpr std::int64_t kDay = 86'400'000;

std::int64_t scalar(rl::SqliteDatabase &db, const std::string &sql)
{
    auto query = db.prepare(sql);
    if (!query)
        qFatal("%s", query.error().message.c_str());
    auto row = query->step();
    return row && row.value() ? query->int64(0) : -1;
}

double real(rl::SqliteDatabase &db, const std::string &sql)
{
    auto query = db.prepare(sql);
    auto row = query->step();
    return row && row.value() ? query->real(0) : -1.0;
}

rl::UsageStore makeDemo(const QTemporaryDir &dir, const QString &name, std::uint64_t seed)
{
    auto store = rl::UsageStore::open(dir.filePath(name).toStdString());
    if (!store)
        qFatal("%s", store.error().message.c_str());
    rl::Pricing pricing(rl::PriceCatalog::builtIn());
    rl::DemoWorkload::Options options;
    options.events = 30'000;
    options.seed = seed;
    options.endMs = kEnd;
    rl::DemoWorkload workload(options, pricing);
    auto made = workload.generate(store.value());
    if (!made || made.value() != 30'000)
        qFatal("demo generation failed");
    return std::move(store).value();
}

} // namespace

class TestDemoWorkload : public QObject {
    Q_OBJECT
private slots:
    // With no end given the demo runs up to "now" from the injected clock: the current hour has requests (the
    // minutes just before now always do), nothing lies in the future, and the total is what was asked for. On the
    // first day of a month at 00:30 in the organisation's zone, that month already has data.
    void runsUpToTheCurrentHour_data()
    {
        QTest::addColumn<QString>("zone");
        QTest::addColumn<qint64>("now");
        // 2026-12-01T00:30 and T23:30 in each zone.
        QTest::newRow("UTC 00:30") << QStringLiteral("UTC") << qint64(1796085000000);
        QTest::newRow("UTC 23:30") << QStringLiteral("UTC") << qint64(1796167800000);
        QTest::newRow("Berlin 00:30") << QStringLiteral("Europe/Berlin") << qint64(1796081400000);
        QTest::newRow("Berlin 23:30") << QStringLiteral("Europe/Berlin") << qint64(1796164200000);
        QTest::newRow("Kolkata 00:30") << QStringLiteral("Asia/Kolkata") << qint64(1796065200000);
    }
    void runsUpToTheCurrentHour()
    {
        QFETCH(QString, zone);
        QFETCH(qint64, now);
        QTemporaryDir dir;
        auto store = rl::UsageStore::open(dir.filePath(QStringLiteral("now.db")).toStdString());
        QVERIFY(store.ok());
        QVERIFY(store->setTimeZone(zone.toStdString()).ok());
        rl::Pricing pricing(rl::PriceCatalog::builtIn());
        rl::DemoWorkload::Options options;
        options.events = 20'000;
        options.clock = rl::fixedClock(now);
        rl::DemoWorkload workload(options, pricing);
        auto made = workload.generate(store.value());
        QVERIFY(made.ok());
        QCOMPARE(made.value(), std::int64_t(20'000));
        rl::SqliteDatabase &db = store->database();
        QCOMPARE(scalar(db, "SELECT count(*) FROM usage_events"), std::int64_t(20'000));
        QVERIFY(scalar(db, "SELECT max(time_ms) FROM usage_events") < now);
        const std::int64_t monthStart = store->calendar().dayStartMs(store->calendar().dayOf(now));
        QCOMPARE(store->calendar().dayOf(monthStart), store->calendar().dayOf(now));
        const std::string since = std::to_string(monthStart);
        QVERIFY(scalar(db, "SELECT count(*) FROM usage_events WHERE time_ms >= " + since) >= 8);
        QVERIFY(scalar(db, "SELECT count(*) FROM usage_events WHERE time_ms >= " + std::to_string(now - 3'600'000))
                >= 8);
        QVERIFY(scalar(db, "SELECT sum(cost_micro) FROM usage_events WHERE time_ms >= " + since) > 0);
        // The days before are whole: yesterday has a full day's traffic.
        QVERIFY(scalar(db, "SELECT count(*) FROM usage_events WHERE time_ms >= " + std::to_string(monthStart - kDay)
                               + " AND time_ms < " + since)
                > 50);
    }

    void sameSeedSameStore()
    {
        QTemporaryDir dir;
        rl::UsageStore a = makeDemo(dir, QStringLiteral("a.db"), 7);
        rl::UsageStore b = makeDemo(dir, QStringLiteral("b.db"), 7);
        rl::UsageStore c = makeDemo(dir, QStringLiteral("c.db"), 8);
        for (const char *column : {"count(*)", "sum(time_ms % 1000003)", "sum(cost_micro)", "sum(input_tokens)",
                                   "sum(team_id * 7 + tier_id * 13 + rule_id)"}) {
            const std::string sql = std::string("SELECT ") + column + " FROM usage_events";
            QCOMPARE(scalar(a.database(), sql), scalar(b.database(), sql));
        }
        QVERIFY(scalar(a.database(), "SELECT sum(cost_micro) FROM usage_events")
                != scalar(c.database(), "SELECT sum(cost_micro) FROM usage_events"));
    }

    void shapedLikeARealCompany()
    {
        QTemporaryDir dir;
        rl::UsageStore store = makeDemo(dir, QStringLiteral("demo.db"), 1);
        rl::SqliteDatabase &db = store.database();
        QCOMPARE(scalar(db, "SELECT count(DISTINCT team_id) FROM usage_events"), std::int64_t(12));
        QCOMPARE(scalar(db, "SELECT count(*) FROM budgets"), std::int64_t(12));
        QCOMPARE(scalar(db, "SELECT value FROM settings WHERE key = 'demo'"), std::int64_t(1));
        // The policy change shows in the routing mix: version 2 sends a larger share to the light tier.
        const char *lightShare = "SELECT avg(t.name = 'light') FROM usage_events e JOIN tiers t ON t.id = e.tier_id "
                                 "WHERE e.policy_version = ";
        const double before = real(db, std::string(lightShare) + "1");
        const double after = real(db, std::string(lightShare) + "2");
        QVERIFY2(after > before + 0.2, qPrintable(QStringLiteral("light share %1 -> %2").arg(before).arg(after)));
        QCOMPARE(scalar(db, "SELECT count(*) FROM policy_versions"), std::int64_t(2));
        // Legal is pinned to the frontier tier (apart from budget-guard downgrades).
        QVERIFY(real(db, "SELECT avg(t.name = 'frontier') FROM usage_events e JOIN tiers t ON t.id = e.tier_id "
                         "JOIN teams m ON m.id = e.team_id WHERE m.name = 'legal'")
                > 0.8);
        // Workdays are busier than weekends.
        QVERIFY(real(db, "SELECT (SELECT count(*) FROM usage_events WHERE (day + 3) % 7 < 5) * 2.0 / "
                         "(SELECT count(*) FROM usage_events WHERE (day + 3) % 7 >= 5) / 5")
                > 2.0);
        // One team runs past its monthly budget.
        QVERIFY(scalar(db, "SELECT count(*) FROM (SELECT e.team_id, e.day / 30 AS m, sum(e.cost_micro) AS spend "
                           "FROM usage_events e GROUP BY 1, 2) s JOIN teams t ON t.id = s.team_id JOIN budgets b "
                           "ON b.scope = 'team:' || t.name "
                           "WHERE s.spend > b.limit_micro")
                >= 1);
        // Blocked requests cost nothing; everything else is priced.
        QCOMPARE(scalar(db, "SELECT sum(cost_micro) FROM usage_events WHERE status = 2"), std::int64_t(0));
        QCOMPARE(scalar(db, "SELECT count(*) FROM usage_events WHERE unpriced = 1"), std::int64_t(0));
        QVERIFY(scalar(db, "SELECT sum(frontier_cost_micro) - sum(cost_micro) FROM usage_events") > 0);

        // The Quality page is never empty on a first start: a few answers rated, and escalations that each repeat
        // an earlier request of the same user and app, minutes before, at a less capable tier. (On the same store:
        // a demo store is most of this suite's time under the sanitizers.)
        const std::int64_t events = scalar(db, "SELECT count(*) FROM usage_events");
        const std::int64_t rated = scalar(db, "SELECT count(*) FROM feedback");
        QVERIFY2(rated > events / 50 && rated < events / 10, qPrintable(QString::number(rated)));
        QCOMPARE(scalar(db, "SELECT count(*) FROM feedback f LEFT JOIN usage_events e ON e.source_id = f.source_id "
                            "AND e.request_id = f.request_id WHERE e.id IS NULL OR e.status IN (1, 2)"),
                 std::int64_t(0));
        QVERIFY(scalar(db, "SELECT count(*) FROM usage_events WHERE escalation_of IS NOT NULL") > 20);
        QCOMPARE(scalar(db, "SELECT count(*) FROM usage_events x LEFT JOIN usage_events e ON e.source_id = x.source_id "
                            "AND e.request_id = x.escalation_of JOIN tiers tx ON tx.id = x.tier_id LEFT JOIN tiers te "
                            "ON te.id = e.tier_id WHERE x.escalation_of IS NOT NULL AND (e.id IS NULL OR "
                            "e.user_id != x.user_id OR e.app_id != x.app_id OR e.time_ms >= x.time_ms OR "
                            "x.time_ms - e.time_ms > 1800000 OR te.rank <= tx.rank)"),
                 std::int64_t(0));
    }
};

ROUTELEDGER_TEST_SUITE(TestDemoWorkload)
#include "tst_demoworkload.moc"

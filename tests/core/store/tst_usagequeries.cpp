// The dashboard's queries over daily rollups, on a small store whose answers are worked out by hand.
#include "store/latencybuckets.h"
#include "store/usagequeries.h"
#include "store/usagestore.h"
#include "teambudget.h"
#include "testsuites.h"

#include <QTemporaryDir>
#include <QTest>

namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kNov1 = 1793491200000; // 2026-11-01T00:00:00Z (day 20758)
constexpr std::int64_t kNov1Day = 20758;

rl::UsageEvent makeEvent(const std::string &id, std::int64_t timeMs, const std::string &team, const std::string &tier,
                         int rank, std::int64_t cost, std::int64_t frontierCost)
{
    rl::UsageEvent e;
    e.requestId = id;
    e.timeMs = timeMs;
    e.team = team;
    e.app = team + "-app";
    e.tier = tier;
    e.tierRank = rank;
    e.model = rank == 0 ? "anthropic/claude-opus-4-1" : "openai/gpt-5-nano";
    e.rule = rank == 0 ? "hard" : "easy";
    e.tokens = {100, 0, 0, 10, 0};
    e.costMicro = cost;
    e.frontierCostMicro = frontierCost;
    return e;
}

} // namespace

class TestUsageQueries : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("q.db")).toStdString();
        auto store = rl::UsageStore::open(m_path);
        QVERIFY(store.ok());
        rl::IngestBatch batch;
        batch.source = "router";
        // Nov 1: legal 2 frontier requests ($3 + $5), support 1 light ($0.10, would be $2 on frontier).
        batch.events = {makeEvent("1", kNov1 + 3600000, "legal", "frontier", 0, 3'000'000, 3'000'000),
                        makeEvent("2", kNov1 + 7200000, "legal", "frontier", 0, 5'000'000, 5'000'000),
                        makeEvent("3", kNov1 + 7200000, "support", "light", 2, 100'000, 2'000'000)};
        // Nov 2: support 1 light ($0.20 vs $4), and an error that still cost $0.05.
        batch.events.push_back(makeEvent("4", kNov1 + kDay + 1000, "support", "light", 2, 200'000, 4'000'000));
        batch.events.push_back(makeEvent("5", kNov1 + kDay + 2000, "support", "light", 2, 50'000, 1'000'000));
        batch.events.back().status = rl::UsageStatus::Error;
        batch.events.back().policyVersion = 7;
        QVERIFY(store->ingest(batch).ok());
        QVERIFY(store->saveBudget(testdata::teamBudget("legal", rl::BudgetPeriod::Month, 10'000'000)).ok());
    }

    void totalsAndFilters()
    {
        auto queries = rl::UsageQueries::open(m_path);
        QVERIFY(queries.ok());
        rl::UsageFilter all{kNov1Day, kNov1Day + 30, {}, {}, {}, {}, {}};
        auto totals = queries->totals(all);
        QVERIFY(totals.ok());
        QCOMPARE(totals->requests, std::int64_t(5));
        QCOMPARE(totals->errors, std::int64_t(1));
        QCOMPARE(totals->frontierRequests, std::int64_t(2));
        QCOMPARE(totals->costMicro, std::int64_t(8'350'000));
        QCOMPARE(totals->frontierCostMicro, std::int64_t(15'000'000));
        QCOMPARE(totals->savedMicro(), std::int64_t(6'650'000));

        rl::UsageFilter support = all;
        support.team = "support";
        QCOMPARE(queries->totals(support)->costMicro, std::int64_t(350'000));
        rl::UsageFilter firstDay = all;
        firstDay.toDay = kNov1Day + 1;
        QCOMPARE(queries->totals(firstDay)->requests, std::int64_t(3));
        rl::UsageFilter nobody = all;
        nobody.team = "no-such-team";
        QCOMPARE(queries->totals(nobody)->requests, std::int64_t(0));
        rl::UsageFilter frontier = all;
        frontier.tier = "frontier";
        QCOMPARE(queries->totals(frontier)->costMicro, std::int64_t(8'000'000));
    }

    void spendOverTimeMixAndTeams()
    {
        auto queries = rl::UsageQueries::open(m_path);
        rl::UsageFilter all{kNov1Day, kNov1Day + 30, {}, {}, {}, {}, {}};
        auto days = queries->spendByDayAndTier(all);
        QVERIFY(days.ok());
        QCOMPARE(days->size(), std::size_t(3)); // Nov 1 frontier, Nov 1 light, Nov 2 light
        QCOMPARE(days->at(0).day, kNov1Day);
        QCOMPARE(days->at(0).tier, std::string("frontier"));
        QCOMPARE(days->at(0).costMicro, std::int64_t(8'000'000));
        QCOMPARE(days->at(2).day, kNov1Day + 1);
        QCOMPARE(days->at(2).costMicro, std::int64_t(250'000));

        auto mix = queries->routingMix(all);
        QVERIFY(mix.ok());
        QCOMPARE(mix->size(), std::size_t(2));
        QCOMPARE(mix->at(0).rule, std::string("hard"));
        QCOMPARE(mix->at(1).requests, std::int64_t(3));

        auto teams = queries->spendByTeam(all);
        QVERIFY(teams.ok());
        QCOMPARE(teams->size(), std::size_t(2));
        QCOMPARE(teams->at(0).team, std::string("legal")); // highest spend first
        QCOMPARE(teams->at(1).costMicro, std::int64_t(350'000));

        auto breakdown = queries->teamBreakdown(all);
        QVERIFY(breakdown.ok());
        std::int64_t legalOpus = 0, supportApp = 0;
        for (const rl::TeamBreakdownRow &row : breakdown.value()) {
            if (row.team == "legal" && row.dimension == "model" && row.name == "anthropic/claude-opus-4-1")
                legalOpus = row.costMicro;
            if (row.team == "support" && row.dimension == "app" && row.name == "support-app")
                supportApp = row.requests;
        }
        QCOMPARE(legalOpus, std::int64_t(8'000'000));
        QCOMPARE(supportApp, std::int64_t(3));

        auto versions = queries->policyVersions();
        QCOMPARE(versions->size(), std::size_t(1));
        QCOMPARE(versions->at(0).version, std::int64_t(7));
        auto range = queries->dataRange();
        QVERIFY(range.ok() && range->has_value());
        QCOMPARE(range->value().first, kNov1Day);
        QCOMPARE(range->value().second, kNov1Day + 1);
    }

    // The Overview's budgets are BudgetEvaluator's states (tests/core/budget has the forecasts): legal spent $8 of
    // $10 on Nov 1 and nothing since, so by Nov 10 it has reached its 80 % threshold and the forecast stays at $8.
    void budgetStatusIsTheEvaluators()
    {
        auto queries = rl::UsageQueries::open(m_path);
        QVERIFY(queries.ok());
        const std::int64_t now = kNov1 + 9 * kDay + kDay / 2;
        auto budgets = queries->budgetStatus(now);
        QVERIFY(budgets.ok());
        QCOMPARE(budgets->size(), std::size_t(1));
        const rl::BudgetState &legal = budgets->front();
        QCOMPARE(legal.budget.scope.name, std::string("legal"));
        QCOMPARE(legal.spentMicro, std::int64_t(8'000'000));
        QCOMPARE(legal.periodStartMs, kNov1);
        QCOMPARE(legal.periodEndMs, kNov1 + 30 * kDay);
        QCOMPARE(legal.forecastMicro, std::int64_t(8'000'000));
        QCOMPARE(legal.reachedPercent, 80);
        QCOMPARE(legal.status, rl::BudgetState::Status::Warning);
        QVERIFY(qAbs(legal.used() - 0.8) < 1e-9);
    }

    // A day or two is drawn by hour: the hourly series from events, by tier, with errors counted.
    void hourlySeriesForShortPeriods()
    {
        auto queries = rl::UsageQueries::open(m_path);
        QVERIFY(queries.ok());
        rl::UsageFilter oneDay{kNov1Day, kNov1Day + 1, {}, {}, {}, {}, {}};
        auto hours = queries->spendByHourAndTier(oneDay);
        QVERIFY(hours.ok());
        QCOMPARE(hours->size(), std::size_t(3)); // 01:00 frontier; 02:00 frontier and light
        QCOMPARE(hours->at(0).hourMs, kNov1 + 3'600'000);
        QCOMPARE(hours->at(0).tier, std::string("frontier"));
        QCOMPARE(hours->at(0).costMicro, std::int64_t(3'000'000));
        QCOMPARE(hours->at(1).hourMs, kNov1 + 7'200'000);
        QCOMPARE(hours->at(1).tierRank, 0);
        QCOMPARE(hours->at(1).costMicro, std::int64_t(5'000'000));
        QCOMPARE(hours->at(2).tierRank, 2);
        QCOMPARE(hours->at(2).costMicro, std::int64_t(100'000));
        std::int64_t requests = 0, cost = 0;
        for (const rl::HourTierSpend &h : hours.value()) {
            requests += h.requests;
            cost += h.costMicro;
        }
        QCOMPARE(requests, queries->totals(oneDay)->requests); // the hours add up to the day
        QCOMPARE(cost, queries->totals(oneDay)->costMicro);

        rl::UsageFilter twoDays{kNov1Day, kNov1Day + 2, {}, {}, {}, {}, {}};
        auto both = queries->spendByHourAndTier(twoDays);
        QVERIFY(both.ok());
        QCOMPARE(both->size(), std::size_t(4));
        QCOMPARE(both->back().hourMs, kNov1 + kDay); // Nov 2, 00:00: two light requests, one an error
        QCOMPARE(both->back().requests, std::int64_t(2));
        QCOMPARE(both->back().errors, std::int64_t(1));
        QCOMPARE(both->back().costMicro, std::int64_t(250'000));

        rl::UsageFilter support = twoDays;
        support.team = "support";
        auto supportHours = queries->spendByHourAndTier(support);
        QVERIFY(supportHours.ok());
        std::int64_t supportCost = 0;
        for (const rl::HourTierSpend &h : supportHours.value())
            supportCost += h.costMicro;
        QCOMPARE(supportCost, std::int64_t(350'000));
    }

    // A budget for a range: this month's whole budget when the range is the month so far, pro-rated otherwise.
    void budgetForARange()
    {
        const rl::OrgCalendar utc = rl::OrgCalendar::forZone("UTC").value();
        const std::int64_t nov1 = kNov1Day, dec1 = kNov1Day + 30, oct1 = kNov1Day - 31;
        // "This month" on Nov 10: Nov 1 up to today, the whole month's budget.
        rl::RangeBudget month =
            rl::budgetForRange(utc, rl::BudgetPeriod::Month, 30'000'000, nov1, nov1 + 10, nov1 + 10);
        QVERIFY(!month.prorated);
        QCOMPARE(month.wholePeriods, 1);
        QCOMPARE(month.limitMicro, std::int64_t(30'000'000));
        // "Last 10 days" on Nov 11: pro-rated to 10 of November's 30 days.
        rl::RangeBudget ten =
            rl::budgetForRange(utc, rl::BudgetPeriod::Month, 30'000'000, nov1 + 1, nov1 + 11, nov1 + 11);
        QVERIFY(ten.prorated);
        QCOMPARE(ten.limitMicro, std::int64_t(10'000'000));
        // "Last 30 days" on Dec 1: Nov 2–Dec 1, 29 of November's 30 days and 1 of December's 31.
        rl::RangeBudget thirty =
            rl::budgetForRange(utc, rl::BudgetPeriod::Month, 30'000'000, nov1 + 1, dec1 + 1, dec1 + 1);
        QVERIFY(thirty.prorated);
        QCOMPARE(thirty.limitMicro, std::llround(30'000'000.0 * 29 / 30 + 30'000'000.0 / 31));
        // "This quarter" on Dec 1: October, November and December's budgets.
        rl::RangeBudget quarter =
            rl::budgetForRange(utc, rl::BudgetPeriod::Month, 30'000'000, oct1, dec1 + 1, dec1 + 1);
        QVERIFY(!quarter.prorated);
        QCOMPARE(quarter.wholePeriods, 3);
        QCOMPARE(quarter.limitMicro, std::int64_t(90'000'000));
        // A past month, whole: its budget.
        QCOMPARE(rl::budgetForRange(utc, rl::BudgetPeriod::Month, 30'000'000, nov1, dec1, dec1 + 5).limitMicro,
                 std::int64_t(30'000'000));
        QCOMPARE(rl::budgetForRange(utc, rl::BudgetPeriod::Month, 0, nov1, dec1, dec1).limitMicro, std::int64_t(0));
    }

    void latencyBuckets_data()
    {
        QTest::addColumn<qint64>("latency");
        QTest::addColumn<qint64>("bucket");
        QTest::addColumn<double>("middle");
        QTest::newRow("tiny") << qint64(5) << qint64(5) << 5.0;
        QTest::newRow("two digits") << qint64(99) << qint64(299) << 99.5;
        QTest::newRow("hundred") << qint64(100) << qint64(310) << 105.0;
        QTest::newRow("1234 ms") << qint64(1234) << qint64(412) << 1250.0;
        QTest::newRow("minutes") << qint64(125000) << qint64(612) << 125000.0;
    }

    void latencyBuckets()
    {
        QFETCH(qint64, latency);
        QFETCH(qint64, bucket);
        QFETCH(double, middle);
        QCOMPARE(rl::LatencyBuckets::bucketOf(latency), bucket);
        QCOMPARE(rl::LatencyBuckets::valueOf(bucket), middle);
    }

    // Twenty requests of gpt-5-nano: 18 at 100 ms, one at 1,000 ms, one at 5,000 ms: p50 is 100 ms's bucket,
    // p95 the 1,000 ms bucket.
    void latencyPercentilesAndQuality()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("l.db")).toStdString();
        {
            auto store = rl::UsageStore::open(path);
            rl::IngestBatch batch;
            batch.source = "r";
            for (int i = 0; i < 20; ++i) {
                auto e = makeEvent("l" + std::to_string(i), kNov1 + i, "t", "light", 2, 10, 100);
                e.latencyMs = i < 18 ? 100 : i == 18 ? 1000 : 5000;
                e.status = i == 0 ? rl::UsageStatus::Error : i == 1 ? rl::UsageStatus::Fallback : rl::UsageStatus::Ok;
                batch.events.push_back(e);
            }
            QVERIFY(store->ingest(batch).ok());
        }
        auto queries = rl::UsageQueries::open(path);
        rl::UsageFilter all{kNov1Day, kNov1Day + 1, {}, {}, {}, {}, {}};
        auto latency = queries->latencyByModel(all);
        QVERIFY(latency.ok());
        QCOMPARE(latency->size(), std::size_t(1));
        QCOMPARE(latency->front().model, std::string("openai/gpt-5-nano"));
        QCOMPARE(latency->front().requests, std::int64_t(20));
        QCOMPARE(latency->front().p50Ms, rl::LatencyBuckets::valueOf(rl::LatencyBuckets::bucketOf(100)));
        QCOMPARE(latency->front().p95Ms, rl::LatencyBuckets::valueOf(rl::LatencyBuckets::bucketOf(1000)));
        QCOMPARE(latency->front().meanMs, (18 * 100.0 + 1000 + 5000) / 20);
        auto quality = queries->qualityByDay(all);
        QVERIFY(quality.ok());
        QCOMPARE(quality->size(), std::size_t(1));
        QCOMPARE(quality->front().requests, std::int64_t(20));
        QCOMPARE(quality->front().errors, std::int64_t(1));
        QCOMPARE(quality->front().fallbacks, std::int64_t(1));
    }

    void refusesStoresItCannotRead()
    {
        auto missing = rl::UsageQueries::open(m_dir.filePath(QStringLiteral("nope.db")).toStdString());
        QVERIFY(!missing.ok());
        QCOMPARE(QString::fromStdString(missing.error().code), QStringLiteral("store.cannot_open"));
    }

private:
    QTemporaryDir m_dir;
    std::string m_path;
};

ROUTELEDGER_TEST_SUITE(TestUsageQueries)
#include "tst_usagequeries.moc"

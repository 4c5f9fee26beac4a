// Reconciliation on a real store: gateway-reported, catalog and billed cost per provider for a period and
// team, with the gaps flagged and explained where the reason is known (cached tokens, unpriced models,
// late buckets, no bill, traffic outside the gateways).
#include "store/reconciliation.h"
#include "store/usagestore.h"
#include "testsuites.h"

#include <QTemporaryDir>
#include <QTest>

namespace {

constexpr std::int64_t kDay = 20'000; // the organisation's day number of the data (UTC store)
constexpr std::int64_t kDayMs = 86'400'000;

rl::UsageEvent usage(const std::string &id, const std::string &model, std::int64_t cost,
                     std::optional<std::int64_t> reported, std::int64_t cached = 0, bool unpriced = false,
                     const std::string &team = "search")
{
    rl::UsageEvent e;
    e.requestId = id;
    e.timeMs = kDay * kDayMs + 3'600'000;
    e.team = team;
    e.model = model;
    e.provider = model.substr(0, model.find('/'));
    e.tokens = {1000, cached, 0, 100, 0};
    e.costMicro = cost;
    e.reportedCostMicro = reported;
    e.unpriced = unpriced;
    return e;
}

rl::CostLine bill(const std::string &provider, std::int64_t amount, std::int64_t day = kDay)
{
    rl::CostLine c;
    c.startMs = day * kDayMs;
    c.endMs = c.startMs + kDayMs;
    c.provider = provider;
    c.lineItem = "tokens";
    c.amountMicro = amount;
    return c;
}

using Kinds = QList<int>;

} // namespace

Q_DECLARE_METATYPE(std::vector<rl::UsageEvent>)
Q_DECLARE_METATYPE(std::vector<rl::CostLine>)

class TestReconciliation : public QObject {
    Q_OBJECT
private slots:
    void explainsGaps_data()
    {
        QTest::addColumn<std::vector<rl::UsageEvent>>("gateway");
        QTest::addColumn<std::vector<rl::CostLine>>("bills");
        QTest::addColumn<qint64>("today");
        QTest::addColumn<qint64>("reported");
        QTest::addColumn<qint64>("catalog");
        QTest::addColumn<qint64>("billed");
        QTest::addColumn<Kinds>("notes");

        using K = rl::ReconciliationNote::Kind;
        const qint64 later = kDay + 30;
        QTest::newRow("all agree") << std::vector{usage("a", "openai/gpt-4o", 1'000'000, 1'000'000)}
                                   << std::vector{bill("openai", 1'004'000)} << later << qint64(1'000'000)
                                   << qint64(1'000'000) << qint64(1'004'000) << Kinds{};
        QTest::newRow("cached tokens priced as input by the gateway")
            << std::vector{usage("a", "openai/gpt-4o", 1'000'000, 1'300'000, 800)}
            << std::vector{bill("openai", 1'000'000)} << later << qint64(1'300'000) << qint64(1'000'000)
            << qint64(1'000'000) << Kinds{int(K::CachedTokens)};
        QTest::newRow("unpriced model") << std::vector{usage("a", "openai/gpt-4o", 1'000'000, std::nullopt),
                                                       usage("b", "openai/brand-new", 0, std::nullopt, 0, true)}
                                        << std::vector{bill("openai", 1'500'000)} << later << qint64(0)
                                        << qint64(1'000'000) << qint64(1'500'000)
                                        << Kinds{int(K::Unpriced), int(K::NoGateway)};
        // Answers without token counts cost nothing in the catalog figure; the bill has them.
        rl::UsageEvent unmetered = usage("b", "openai/gpt-4o", 0, std::nullopt);
        unmetered.tokens = {};
        unmetered.unmetered = true;
        QTest::newRow("unmetered answers")
            << std::vector{usage("a", "openai/gpt-4o", 1'000'000, std::nullopt), unmetered}
            << std::vector{bill("openai", 1'500'000)} << later << qint64(0) << qint64(1'000'000) << qint64(1'500'000)
            << Kinds{int(K::Unmetered), int(K::NoGateway)};
        QTest::newRow("recent days still revised")
            << std::vector{usage("a", "anthropic/claude-sonnet-4-5", 2'000'000, std::nullopt)}
            << std::vector{bill("anthropic", 1'200'000)} << qint64(kDay) << qint64(0) << qint64(2'000'000)
            << qint64(1'200'000) << Kinds{int(K::LateBuckets)};
        QTest::newRow("no bill") << std::vector{usage("a", "deepseek/deepseek-chat", 300'000, std::nullopt)}
                                 << std::vector<rl::CostLine>{} << later << qint64(0) << qint64(300'000) << qint64(0)
                                 << Kinds{int(K::NoBill)};
        QTest::newRow("unexplained") << std::vector{usage("a", "openai/gpt-4o", 1'000'000, std::nullopt)}
                                     << std::vector{bill("openai", 900'000)} << later << qint64(0) << qint64(1'000'000)
                                     << qint64(900'000) << Kinds{int(K::Unexplained)};
    }

    void explainsGaps()
    {
        QFETCH(std::vector<rl::UsageEvent>, gateway);
        QFETCH(std::vector<rl::CostLine>, bills);
        QFETCH(qint64, today);
        QFETCH(qint64, reported);
        QFETCH(qint64, catalog);
        QFETCH(qint64, billed);
        QFETCH(Kinds, notes);
        QTemporaryDir dir;
        auto store = rl::UsageStore::open(dir.filePath(QStringLiteral("s.db")).toStdString());
        QVERIFY(store.ok());
        rl::IngestBatch events;
        events.source = "litellm";
        events.sourceKind = "litellm";
        events.events = gateway;
        QVERIFY(store->ingest(events).ok());
        rl::IngestBatch costs;
        costs.source = "org (costs)";
        costs.sourceKind = "openai";
        costs.costs = bills;
        QVERIFY(store->ingest(costs).ok());

        auto report = rl::Reconciliation::run(store->database(), kDay, kDay + 1, "", today);
        QVERIFY(report.ok());
        QCOMPARE(report->rows.size(), std::size_t(1));
        const rl::ReconciliationRow &row = report->rows.front();
        QCOMPARE(qint64(row.gatewayReportedMicro), reported);
        QCOMPARE(qint64(row.catalogMicro()), catalog);
        QCOMPARE(qint64(row.billedMicro), billed);
        Kinds got;
        for (const rl::ReconciliationNote &note : row.notes) {
            got << int(note.kind);
            QVERIFY(!note.text.empty());
        }
        QCOMPARE(got, notes);
    }

    // The provider's own usage report is what its bill is compared with, when RouteLedger reads it; a team
    // filter and the period bound every figure.
    void providerUsageTeamsAndPeriod()
    {
        QTemporaryDir dir;
        auto store = rl::UsageStore::open(dir.filePath(QStringLiteral("s.db")).toStdString());
        QVERIFY(store.ok());
        rl::IngestBatch events;
        events.source = "router";
        events.events = {usage("a", "openai/gpt-4o", 400'000, std::nullopt, 0, false, "search"),
                         usage("b", "openai/gpt-4o", 600'000, std::nullopt, 0, false, "legal")};
        QVERIFY(store->ingest(events).ok());
        rl::UsageBucket bucket;
        bucket.startMs = kDay * kDayMs;
        bucket.endMs = bucket.startMs + 3'600'000;
        bucket.model = "openai/gpt-4o";
        bucket.provider = "openai";
        bucket.requests = 10;
        bucket.costMicro = 2'000'000; // the org's whole traffic, not only what the router carried
        rl::IngestBatch usage;
        usage.source = "org";
        usage.sourceKind = "openai";
        usage.buckets = {bucket};
        usage.costs = {bill("openai", 2'000'000), bill("openai", 5'000'000, kDay + 1)};
        QVERIFY(store->ingest(usage).ok());

        auto all = rl::Reconciliation::run(store->database(), kDay, kDay + 1, "", kDay + 30);
        QVERIFY(all.ok());
        QCOMPARE(all->rows.size(), std::size_t(1));
        QCOMPARE(all->rows[0].gatewayCatalogMicro, std::int64_t(1'000'000));
        QCOMPARE(all->rows[0].providerUsageCatalogMicro, std::int64_t(2'000'000));
        QCOMPARE(all->rows[0].billedMicro, std::int64_t(2'000'000)); // the next day's bill is outside
        QVERIFY(all->rows[0].notes.empty());

        auto legal = rl::Reconciliation::run(store->database(), kDay, kDay + 1, "legal", kDay + 30);
        QVERIFY(legal.ok());
        QCOMPARE(legal->rows[0].gatewayCatalogMicro, std::int64_t(600'000));
        QCOMPARE(legal->rows[0].billed, false); // bills are per project until a mapping ties them to a team
    }
};

ROUTELEDGER_TEST_SUITE(TestReconciliation)
#include "tst_reconciliation.moc"

// The usage store: ingest with deduplication, rollups kept with every batch, buckets revised in place,
// cursors committed with their page, migrations, time zones, and every way a store file can be bad.
#include "store/storeschema.h"
#include "store/usagequeries.h"
#include "store/usagestore.h"
#include "teambudget.h"
#include "testsuites.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <csignal>
#include <filesystem>
#include <fstream>

#include <sys/wait.h>
#include <unistd.h>

namespace {

constexpr std::int64_t kMonday = 1767607200000; // 2026-01-05T10:00:00Z

rl::UsageEvent makeEvent(const std::string &id, std::int64_t timeMs, const std::string &team, std::int64_t cost)
{
    rl::UsageEvent e;
    e.requestId = id;
    e.timeMs = timeMs;
    e.team = team;
    e.app = "chat";
    e.model = "openai/gpt-5-mini";
    e.provider = "openai";
    e.tier = "mid";
    e.tierRank = 1;
    e.rule = "default";
    e.policyVersion = 1;
    e.tokens = {100, 0, 0, 50, 0};
    e.costMicro = cost;
    e.frontierCostMicro = cost * 5;
    e.latencyMs = 800;
    return e;
}

std::vector<std::vector<std::int64_t>> table(rl::SqliteDatabase &db, const std::string &sql)
{
    std::vector<std::vector<std::int64_t>> rows;
    auto query = db.prepare(sql);
    if (!query)
        qFatal("%s", query.error().message.c_str());
    for (;;) {
        auto row = query->step();
        if (!row || !row.value())
            break;
        std::vector<std::int64_t> values;
        for (int c = 0; c < 21; ++c)
            values.push_back(query->int64(c));
        rows.push_back(std::move(values));
    }
    return rows;
}

std::int64_t scalar(rl::SqliteDatabase &db, const std::string &sql)
{
    auto query = db.prepare(sql);
    if (!query)
        qFatal("%s", query.error().message.c_str());
    auto row = query->step();
    return row && row.value() ? query->int64(0) : -1;
}

} // namespace

class TestUsageStore : public QObject {
    Q_OBJECT
private slots:
    void createsALatestVersionStore()
    {
        QTemporaryDir dir;
        auto store = rl::UsageStore::open(dir.filePath(QStringLiteral("s.db")).toStdString());
        QVERIFY2(store.ok(), store.ok() ? "" : store.error().message.c_str());
        QCOMPARE(rl::StoreSchema::version(store->database()).value(), rl::StoreSchema::latestVersion());
        auto mode = store->database().prepare("PRAGMA journal_mode");
        QVERIFY(mode->step().value());
        QCOMPARE(QString::fromStdString(mode->text(0)), QStringLiteral("wal"));
    }

    void ingestDeduplicatesAndRollsUp()
    {
        QTemporaryDir dir;
        auto store = rl::UsageStore::open(dir.filePath(QStringLiteral("s.db")).toStdString());
        QVERIFY(store.ok());
        rl::IngestBatch batch;
        batch.source = "router-eu";
        batch.cursor = "42";
        batch.events = {makeEvent("a", kMonday, "legal", 1000), makeEvent("b", kMonday + 1000, "legal", 2000),
                        makeEvent("c", kMonday + 86'400'000, "support", 500)};
        batch.events[1].status = rl::UsageStatus::Fallback;
        batch.events[2].unmetered = true; // answered without token counts
        batch.events[0].tags = {"batch", "eu"};
        batch.events[1].tags = {"eu"};
        auto first = store->ingest(batch);
        QVERIFY(first.ok());
        QCOMPARE(first->inserted, std::size_t(3));
        QCOMPARE(first->duplicates, std::size_t(0));
        QCOMPARE(store->cursor("router-eu").value().value_or(""), std::string("42"));

        // The same page again (a source that serves a page twice): nothing is counted twice.
        batch.cursor = "43";
        batch.events.push_back(makeEvent("d", kMonday + 2000, "legal", 4000));
        auto second = store->ingest(batch);
        QVERIFY(second.ok());
        QCOMPARE(second->inserted, std::size_t(1));
        QCOMPARE(second->duplicates, std::size_t(3));

        rl::SqliteDatabase &db = store->database();
        QCOMPARE(scalar(db, "SELECT count(*) FROM usage_events"), std::int64_t(4));
        QCOMPARE(scalar(db, "SELECT sum(requests) FROM daily_rollups"), std::int64_t(4));
        QCOMPARE(scalar(db, "SELECT sum(cost_micro) FROM daily_rollups"), std::int64_t(7500));
        QCOMPARE(scalar(db, "SELECT sum(frontier_cost_micro) FROM daily_rollups"), std::int64_t(37500));
        QCOMPARE(scalar(db, "SELECT sum(fallbacks) FROM daily_rollups"), std::int64_t(1));
        QCOMPARE(scalar(db, "SELECT sum(unmetered) FROM daily_rollups"), std::int64_t(1));
        QCOMPARE(scalar(db, "SELECT unmetered FROM usage_events WHERE request_id = 'c'"), std::int64_t(1));
        QCOMPARE(scalar(db, "SELECT count(DISTINCT day) FROM daily_rollups"), std::int64_t(2));
        QCOMPARE(scalar(db, "SELECT first_seen_ms FROM policy_versions"), kMonday);

        // Spend per tag: each tag of an event counts its cost.
        const auto tagRollups = [&db] {
            auto query =
                db.prepare("SELECT group_concat(day || '/' || source_id || '/' || tag || '/' || requests || '/' "
                           "|| cost_micro, ';') FROM (SELECT * FROM tag_rollups ORDER BY 1, 2, 3)");
            return query && query->step().valueOr(false) ? query->text(0) : std::string("(unreadable)");
        };
        const std::string tags = tagRollups();
        QCOMPARE(tags, std::string("20458/1/batch/1/1000;20458/1/eu/2/3000"));

        // The incremental rollups equal a rebuild from raw events.
        const auto incremental = table(db, "SELECT * FROM daily_rollups ORDER BY 1, 2, 3, 4, 5, 6, 7");
        const auto latencies = table(
            db, "SELECT *, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM latency_rollups ORDER BY 1, 2, 3");
        QCOMPARE(latencies.size(), std::size_t(2)); // two days, one model, one latency bucket (800 ms)
        QVERIFY(store->rebuildRollups().ok());
        QCOMPARE(table(db, "SELECT * FROM daily_rollups ORDER BY 1, 2, 3, 4, 5, 6, 7"), incremental);
        QCOMPARE(
            table(db,
                  "SELECT *, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM latency_rollups ORDER BY 1, 2, 3"),
            latencies);
        QCOMPARE(tagRollups(), tags);
    }

    void bucketsAreRevisedInPlace()
    {
        QTemporaryDir dir;
        auto store = rl::UsageStore::open(dir.filePath(QStringLiteral("s.db")).toStdString());
        QVERIFY(store.ok());
        rl::UsageBucket bucket;
        bucket.startMs = kMonday;
        bucket.endMs = kMonday + 86'400'000;
        bucket.team = "research";
        bucket.model = "anthropic/claude-sonnet-4-5";
        bucket.project = "proj_1";
        bucket.requests = 10;
        bucket.costMicro = 1'000'000;
        rl::IngestBatch batch;
        batch.source = "anthropic-admin";
        batch.sourceKind = "anthropic";
        batch.buckets = {bucket};
        QVERIFY(store->ingest(batch).ok());
        batch.buckets[0].requests = 12; // the provider revised the day
        batch.buckets[0].costMicro = 1'300'000;
        QCOMPARE(store->ingest(batch)->bucketsUpserted, std::size_t(1));
        rl::SqliteDatabase &db = store->database();
        QCOMPARE(scalar(db, "SELECT count(*) FROM usage_buckets"), std::int64_t(1));
        QCOMPARE(scalar(db, "SELECT sum(requests) FROM daily_rollups"), std::int64_t(12));
        QCOMPARE(scalar(db, "SELECT sum(cost_micro) FROM daily_rollups"), std::int64_t(1'300'000));
        const auto incremental = table(db, "SELECT * FROM daily_rollups ORDER BY 1, 2, 3, 4, 5, 6, 7");
        QVERIFY(store->rebuildRollups().ok());
        QCOMPARE(table(db, "SELECT * FROM daily_rollups ORDER BY 1, 2, 3, 4, 5, 6, 7"), incremental);
    }

    // A re-read day replaces what was stored for it (IngestBatch::replaceBuckets): a bucket the new reading
    // no longer has is removed and the rollups move with it; buckets outside the range and rows sold on
    // other terms (priceTerms) are kept apart and untouched.
    void aReplacedRangeRemovesBucketsNoLongerReported()
    {
        QTemporaryDir dir;
        auto store = rl::UsageStore::open(dir.filePath(QStringLiteral("s.db")).toStdString());
        QVERIFY(store.ok());
        auto bucket = [](std::int64_t start, const char *team, const char *terms, std::int64_t requests) {
            rl::UsageBucket b;
            b.startMs = start;
            b.endMs = start + 86'400'000;
            b.team = team;
            b.model = "openai/gpt-4o";
            b.priceTerms = terms;
            b.requests = requests;
            b.costMicro = requests * 1000;
            b.reportedCostMicro = requests * 1100;
            return b;
        };
        const std::int64_t tuesday = kMonday + 86'400'000;
        rl::IngestBatch batch;
        batch.source = "litellm";
        batch.sourceKind = "litellm";
        batch.buckets = {bucket(kMonday, "ads", "", 5), bucket(tuesday, "ads", "", 7), bucket(tuesday, "search", "", 3),
                         bucket(tuesday, "search", "batch", 4)};
        QVERIFY(store->ingest(batch).ok());
        rl::SqliteDatabase &db = store->database();
        QCOMPARE(scalar(db, "SELECT count(*) FROM usage_buckets"), std::int64_t(4)); // batch rows kept apart
        // Tuesday read again: "ads" moved to "search", and the batch row is gone.
        batch.buckets = {bucket(tuesday, "search", "", 10)};
        batch.replaceBuckets = rl::BucketRange{tuesday, tuesday + 86'400'000};
        auto replaced = store->ingest(batch);
        QVERIFY(replaced.ok());
        QCOMPARE(replaced->bucketsRemoved, std::size_t(2));
        QCOMPARE(scalar(db, "SELECT count(*) FROM usage_buckets"), std::int64_t(2));
        QCOMPARE(scalar(db, "SELECT sum(requests) FROM usage_buckets WHERE start_ms = " + std::to_string(tuesday)),
                 std::int64_t(10));
        QCOMPARE(scalar(db, "SELECT sum(requests) FROM daily_rollups"), std::int64_t(15));
        QCOMPARE(scalar(db, "SELECT sum(reported_cost_micro) FROM daily_rollups"), std::int64_t(15 * 1100));
        const char *nonZero = "SELECT * FROM daily_rollups WHERE requests != 0 OR cost_micro != 0 ORDER BY 1, 2, 3, 4, "
                              "5, 6, 7";
        const auto incremental = table(db, nonZero);
        QVERIFY(store->rebuildRollups().ok());
        QCOMPARE(table(db, nonZero), incremental);
    }

    void costLinesAreRevisedAndKeptApartFromUsage()
    {
        QTemporaryDir dir;
        auto store = rl::UsageStore::open(dir.filePath(QStringLiteral("s.db")).toStdString());
        QVERIFY(store.ok());
        rl::CostLine line;
        line.startMs = kMonday;
        line.endMs = kMonday + 86'400'000;
        line.project = "proj_1";
        line.provider = "openai";
        line.lineItem = "gpt-4o, input";
        line.model = "openai/gpt-4o";
        line.amountMicro = 2'500'000;
        rl::CostLine credit = line;
        credit.lineItem = "credit";
        credit.model.clear();
        credit.amountMicro = -500'000; // bills carry credits
        rl::IngestBatch batch;
        batch.source = "openai (costs)";
        batch.sourceKind = "openai";
        batch.costs = {line, credit};
        batch.cursor = "c1";
        auto first = store->ingest(batch);
        QVERIFY(first.ok());
        QCOMPARE(first->costLinesUpserted, std::size_t(2));
        batch.costs[0].amountMicro = 2'750'000; // the provider revised the day
        QVERIFY(store->ingest(batch).ok());
        rl::SqliteDatabase &db = store->database();
        QCOMPARE(scalar(db, "SELECT count(*) FROM cost_lines"), std::int64_t(2));
        QCOMPARE(scalar(db, "SELECT sum(amount_micro) FROM cost_lines"), std::int64_t(2'250'000));
        QCOMPARE(scalar(db, "SELECT count(*) FROM daily_rollups"), std::int64_t(0)); // a bill is not usage
        QCOMPARE(scalar(db, "SELECT last_ingest_ms > 0 FROM sources WHERE name = 'openai (costs)'"), std::int64_t(1));

        batch.costs = {line};
        batch.costs[0].endMs = line.startMs; // an empty window refuses the whole batch
        batch.cursor = "c2";
        QCOMPARE(store->ingest(batch).error().code, std::string("ingest.invalid"));
        QCOMPARE(store->cursor("openai (costs)").value().value_or(""), std::string("c1"));
    }

    // Mappings apply at ingest and, when changed, to everything stored; each record keeps its source's own
    // team and app, so a mapping can be undone. Unmapped records stay unassigned, never dropped.
    void identityMappingsApplyToStoredRecords()
    {
        QTemporaryDir dir;
        auto store = rl::UsageStore::open(dir.filePath(QStringLiteral("s.db")).toStdString());
        QVERIFY(store.ok());
        rl::IngestBatch events;
        events.source = "litellm";
        events.events = {makeEvent("a", kMonday, "litellm-ml", 100), makeEvent("b", kMonday, "", 200),
                         makeEvent("c", kMonday, "", 400)};
        events.events[1].tags = {"env:prod", "project:search"};
        QVERIFY(store->ingest(events).ok());
        rl::UsageBucket bucket;
        bucket.startMs = kMonday;
        bucket.endMs = kMonday + 3'600'000;
        bucket.project = "proj_search";
        bucket.apiKey = "key_1";
        bucket.model = "openai/gpt-4o";
        bucket.requests = 3;
        bucket.costMicro = 1000;
        rl::CostLine cost;
        cost.startMs = kMonday;
        cost.endMs = kMonday + 86'400'000;
        cost.project = "proj_search";
        cost.amountMicro = 5000;
        rl::IngestBatch provider;
        provider.source = "openai";
        provider.buckets = {bucket};
        provider.costs = {cost};
        QVERIFY(store->ingest(provider).ok());
        rl::SqliteDatabase &db = store->database();
        auto spendOf = [&](const char *team) {
            return scalar(db, std::string("SELECT COALESCE(sum(cost_micro), 0) FROM daily_rollups r JOIN teams t ON "
                                          "t.id = r.team_id WHERE t.name = '")
                                  + team + "'");
        };
        QCOMPARE(spendOf(""), std::int64_t(1600)); // b, c and the bucket: unassigned, counted

        const std::vector<rl::IdentityMapping> mappings = {
            {rl::IdentityField::Team, "litellm-ml", "ML", ""},
            {rl::IdentityField::Tag, "project:search", "Search", "search-api"},
            {rl::IdentityField::Project, "proj_search", "Search", ""},
            {rl::IdentityField::ApiKey, "key_1", "", "batch-jobs"},
        };
        QVERIFY(store->setIdentityMappings(mappings).ok());
        QCOMPARE(spendOf("ML"), std::int64_t(100));
        // Only the events a mapping changed keep their source's own team beside the mapped one.
        QCOMPARE(scalar(db, "SELECT count(*) FROM usage_events WHERE source_team_id IS NOT NULL"), std::int64_t(2));
        QCOMPARE(spendOf("Search"), std::int64_t(200)); // b by its tag; the bucket's key rule names only an app
        QCOMPARE(spendOf(""), std::int64_t(1400));      // c, and the bucket (key beats project)
        QCOMPARE(scalar(db, "SELECT count(*) FROM usage_buckets b JOIN apps a ON a.id = b.app_id WHERE a.name = "
                            "'batch-jobs'"),
                 std::int64_t(1));
        QCOMPARE(scalar(db, "SELECT count(*) FROM cost_lines c JOIN teams t ON t.id = c.team_id WHERE t.name = "
                            "'Search'"),
                 std::int64_t(1));
        const auto remapped = table(db, "SELECT * FROM daily_rollups ORDER BY 1, 2, 3, 4, 5, 6, 7");
        QVERIFY(store->rebuildRollups().ok());
        QCOMPARE(table(db, "SELECT * FROM daily_rollups ORDER BY 1, 2, 3, 4, 5, 6, 7"), remapped);

        // New records are mapped as they arrive; a revised bucket finds its row under the mapping.
        events.events = {makeEvent("d", kMonday, "litellm-ml", 1000)};
        QVERIFY(store->ingest(events).ok());
        QCOMPARE(spendOf("ML"), std::int64_t(1100));
        provider.buckets[0].costMicro = 3000;
        QVERIFY(store->ingest(provider).ok());
        QCOMPARE(scalar(db, "SELECT count(*) FROM usage_buckets"), std::int64_t(1));
        QCOMPARE(spendOf(""), std::int64_t(3400));

        // Bad lists change nothing.
        auto twice = mappings;
        twice.push_back({rl::IdentityField::Team, "litellm-ml", "Other", ""});
        auto refused = store->setIdentityMappings(twice);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.find("mapped twice") != std::string::npos, refused.error().message.c_str());
        QVERIFY(!store->setIdentityMappings({{rl::IdentityField::Project, "p", "", ""}}).ok());
        QCOMPARE(store->identityMap().mappings().size(), std::size_t(4));
        QCOMPARE(spendOf("ML"), std::int64_t(1100));

        // Removing the mappings gives every record back its source's own identity.
        QVERIFY(store->setIdentityMappings({}).ok());
        QCOMPARE(scalar(db, "SELECT count(*) FROM usage_events WHERE source_team_id IS NOT NULL"), std::int64_t(0));
        QCOMPARE(spendOf("ML"), std::int64_t(0));
        QCOMPARE(spendOf("litellm-ml"), std::int64_t(1100));
        QCOMPARE(spendOf(""), std::int64_t(3600));
        auto reopened = rl::UsageStore::open(dir.filePath(QStringLiteral("s.db")).toStdString());
        QVERIFY(reopened.ok());
        QVERIFY(reopened->identityMap().empty());
    }

    // A source kept out of spend (its traffic is already reported by another) is left out of the pages'
    // figures and budgets, and still shows when picked in the filter.
    void aSourceCanBeKeptOutOfSpend()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("s.db")).toStdString();
        auto store = rl::UsageStore::open(path);
        QVERIFY(store.ok());
        rl::IngestBatch router;
        router.source = "router";
        router.events = {makeEvent("a", kMonday, "search", 1000)};
        QVERIFY(store->ingest(router).ok());
        rl::SourceSettings org{"OpenAI org", "openai", "https://api.openai.com/v1", 300, false, "{}", 0, false};
        QVERIFY(store->saveSourceSettings(org).ok());
        rl::UsageBucket bucket;
        bucket.startMs = kMonday;
        bucket.endMs = kMonday + 3'600'000;
        bucket.team = "search";
        bucket.model = "openai/gpt-5-mini";
        bucket.requests = 1;
        bucket.costMicro = 1000; // the same request, seen by the provider
        rl::IngestBatch usage;
        usage.source = "OpenAI org";
        usage.sourceKind = "openai";
        usage.buckets = {bucket};
        QVERIFY(store->ingest(usage).ok());
        QVERIFY(store->saveBudget(testdata::teamBudget("search", rl::BudgetPeriod::Month, 1'000'000)).ok());

        auto queries = rl::UsageQueries::open(path);
        QVERIFY(queries.ok());
        const std::int64_t day = store->calendar().dayOf(kMonday);
        rl::UsageFilter all{day, day + 1, {}, {}, {}, {}, {}};
        QCOMPARE(queries->totals(all)->costMicro, std::int64_t(1000)); // counted once
        rl::UsageFilter picked = all;
        picked.source = "OpenAI org";
        QCOMPARE(queries->totals(picked)->costMicro, std::int64_t(1000));
        auto budgets = queries->budgetStatus(kMonday);
        QVERIFY(budgets.ok());
        QCOMPARE(budgets->front().spentMicro, std::int64_t(1000));

        org.inSpend = true; // both count: the same request twice
        QVERIFY(store->saveSourceSettings(org).ok());
        QCOMPARE(queries->totals(all)->costMicro, std::int64_t(2000));
        QVERIFY(store->sourceSettings()->front().inSpend);
    }

    void sourceSettingsRoundTrip()
    {
        QTemporaryDir dir;
        auto store = rl::UsageStore::open(dir.filePath(QStringLiteral("s.db")).toStdString());
        QVERIFY(store.ok());
        rl::SourceSettings openai{"OpenAI org", "openai", "https://api.openai.com/v1", 600, false, "{}", 1, true};
        rl::SourceSettings router{"edge router", "router", "http://10.0.0.5:8080", 60, true, "{\"page_size\":500}", 2,
                                  true};
        QVERIFY(store->saveSourceSettings(openai).ok());
        QVERIFY(store->saveSourceSettings(router).ok());
        router.intervalS = 5;
        QCOMPARE(store->saveSourceSettings(router).error().code, std::string("source.invalid"));
        router.intervalS = 120;
        QVERIFY(store->saveSourceSettings(router).ok()); // an edit, not a second row
        auto listed = store->sourceSettings();
        QVERIFY(listed.ok());
        QCOMPARE(listed->size(), std::size_t(2));
        QCOMPARE(listed->at(1).name, std::string("edge router"));
        QCOMPARE(listed->at(1).intervalS, std::int64_t(120));
        QVERIFY(listed->at(1).paused);
        QCOMPARE(listed->at(1).options, router.options);

        rl::IngestBatch batch;
        batch.source = "OpenAI org";
        batch.cursor = "100|";
        QVERIFY(store->ingest(batch).ok());
        batch.source = "OpenAI org (costs)";
        QVERIFY(store->ingest(batch).ok());
        batch.source = "OpenAI organisation"; // another source whose name starts the same
        QVERIFY(store->ingest(batch).ok());
        QVERIFY(store->resetCursors("OpenAI org").ok());
        QVERIFY(!store->cursor("OpenAI org").value().has_value());
        QVERIFY(!store->cursor("OpenAI org (costs)").value().has_value());
        QCOMPARE(store->cursor("OpenAI organisation").value().value_or(""), std::string("100|"));

        // A rename keeps the rows and cursors of every part; a taken name is refused.
        batch.cursor = "200|";
        batch.source = "OpenAI org";
        QVERIFY(store->ingest(batch).ok());
        QCOMPARE(store->renameSource("OpenAI org", "OpenAI organisation").error().code,
                 std::string("source.name_taken"));
        QVERIFY(store->renameSource("OpenAI org", "OpenAI prod").ok());
        QCOMPARE(store->cursor("OpenAI prod").value().value_or(""), std::string("200|"));
        QVERIFY(store->cursor("OpenAI prod (costs)").ok());
        QCOMPARE(scalar(store->database(),
                        "SELECT count(*) FROM sources WHERE name IN ('OpenAI org', 'OpenAI org (costs)')"),
                 std::int64_t(0));
        QCOMPARE(scalar(store->database(), "SELECT count(*) FROM source_settings WHERE name = 'OpenAI prod'"),
                 std::int64_t(1));
        batch.source = "OpenAI prod"; // ingest goes on under the new name, with the same source row
        QVERIFY(store->ingest(batch).ok());
        QCOMPARE(scalar(store->database(), "SELECT count(*) FROM sources"),
                 std::int64_t(4)); // + "edge router", created with its settings

        QVERIFY(store->removeSourceSettings("OpenAI prod").ok());
        QCOMPARE(store->sourceSettings()->size(), std::size_t(1));
    }

    // "Now" is the store's clock, not the system's: a new source's settings and a cursor's last ingest carry it.
    void writesTheTimeOfItsClock()
    {
        QTemporaryDir dir;
        constexpr std::int64_t kNow = kMonday + 123;
        auto store = rl::UsageStore::open(dir.filePath(QStringLiteral("s.db")).toStdString(), rl::fixedClock(kNow));
        QVERIFY(store.ok());
        QVERIFY(store->saveSourceSettings({"edge router", "router", "http://10.0.0.5:8080", 60, false, "{}", 0, true})
                    .ok());
        QCOMPARE(store->sourceSettings()->front().createdMs, kNow);
        rl::IngestBatch batch;
        batch.source = "edge router";
        batch.cursor = "1";
        batch.events = {makeEvent("a", kMonday, "legal", 1000)};
        QVERIFY(store->ingest(batch).ok());
        QCOMPARE(scalar(store->database(), "SELECT last_ingest_ms FROM sources WHERE name = 'edge router'"), kNow);
    }

    void invalidBatchWritesNothing()
    {
        QTemporaryDir dir;
        auto store = rl::UsageStore::open(dir.filePath(QStringLiteral("s.db")).toStdString());
        QVERIFY(store.ok());
        rl::IngestBatch batch;
        batch.source = "gw";
        batch.cursor = "9";
        batch.events = {makeEvent("ok", kMonday, "a", 1), makeEvent("", kMonday, "a", 1)};
        auto result = store->ingest(batch);
        QVERIFY(!result.ok());
        QCOMPARE(QString::fromStdString(result.error().message),
                 QStringLiteral("source \"gw\": an event has no request id; the batch was not stored"));
        QCOMPARE(scalar(store->database(), "SELECT count(*) FROM usage_events"), std::int64_t(0));
        QVERIFY(!store->cursor("gw").value().has_value());
    }

    void timeZoneCutsDays()
    {
        QTemporaryDir dir;
        auto store = rl::UsageStore::open(dir.filePath(QStringLiteral("s.db")).toStdString());
        QVERIFY(store.ok());
        rl::IngestBatch batch;
        batch.source = "r";
        batch.events = {makeEvent("late", 1767582000000, "a", 1)}; // 2026-01-05T03:00Z = Jan 4, 22:00 in New York
        QVERIFY(store->ingest(batch).ok());
        QCOMPARE(scalar(store->database(), "SELECT day FROM daily_rollups"), std::int64_t(20458)); // 2026-01-05
        QVERIFY(store->setTimeZone("America/New_York").ok());
        QCOMPARE(scalar(store->database(), "SELECT day FROM daily_rollups"), std::int64_t(20457)); // 2026-01-04
        QCOMPARE(scalar(store->database(), "SELECT day FROM usage_events"), std::int64_t(20457));
        auto unknown = store->setTimeZone("Mars/Olympus");
        QVERIFY(!unknown.ok());
        QVERIFY(QString::fromStdString(unknown.error().message)
                    .startsWith(QStringLiteral("unknown time zone \"Mars/Olympus\"")));
    }

    void budgets()
    {
        QTemporaryDir dir;
        auto store = rl::UsageStore::open(dir.filePath(QStringLiteral("s.db")).toStdString());
        QVERIFY(store.ok());
        auto legal = store->saveBudget(testdata::teamBudget("legal", rl::BudgetPeriod::Month, 12'000'000'000));
        QVERIFY(legal.ok());
        QVERIFY(legal->id > 0);
        QVERIFY(store->saveBudget(testdata::teamBudget("support", rl::BudgetPeriod::Week, 500'000'000)).ok());
        // The same scope and period saves over the budget there (its id kept); another period is another budget.
        auto again = store->saveBudget(testdata::teamBudget("legal", rl::BudgetPeriod::Month, 13'000'000'000));
        QVERIFY(again.ok());
        QCOMPARE(again->id, legal->id);
        rl::SpendBudget quarter = testdata::teamBudget("legal", rl::BudgetPeriod::Quarter, 30'000'000'000);
        quarter.thresholdsPercent = {75, 100};
        quarter.enforcement = {rl::BudgetEnforcement::Kind::Cap, 1, "light", ""};
        quarter.rollover = true;
        QVERIFY(store->saveBudget(quarter).ok());
        rl::SpendBudget perUser;
        perUser.eachUser = true;
        perUser.period = rl::BudgetPeriod::Rolling;
        perUser.rollingDays = 7;
        perUser.limitMicro = 200'000'000;
        QVERIFY(store->saveBudget(perUser).ok());
        auto budgets = store->budgets();
        QVERIFY(budgets.ok());
        QCOMPARE(budgets->size(), std::size_t(4));
        QCOMPARE(budgets->at(0).scope.text(), std::string("org"));
        QCOMPARE(budgets->at(0).periodText(), std::string("rolling:7"));
        QVERIFY(budgets->at(0).eachUser);
        QCOMPARE(budgets->at(1).label(), std::string("team:legal · month"));
        QCOMPARE(budgets->at(1).limitMicro, std::int64_t(13'000'000'000));
        QCOMPARE(budgets->at(2).period, rl::BudgetPeriod::Quarter);
        QCOMPARE(budgets->at(2).thresholdsPercent, (std::vector<int>{75, 100}));
        QCOMPARE(budgets->at(2).enforcement.text(), std::string("cap:light"));
        QVERIFY(budgets->at(2).rollover);

        // An edit that would give a budget another one's scope and period is refused, naming it.
        rl::SpendBudget clash = budgets->at(2);
        clash.period = rl::BudgetPeriod::Month;
        auto refused = store->saveBudget(clash);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, std::string("budget.duplicate"));
        QVERIFY(refused.error().message.find("team:legal · month") != std::string::npos);

        auto removed = store->removeBudget(budgets->at(3).id);
        QVERIFY(removed.ok());
        QCOMPARE(removed->scope.name, std::string("support"));
        QCOMPARE(store->budgets()->size(), std::size_t(3));
        QCOMPARE(store->removeBudget(999).error().code, std::string("budget.unknown"));

        // Every problem at once, and nothing saved.
        rl::SpendBudget bad = testdata::teamBudget("x", rl::BudgetPeriod::Rolling, 0);
        bad.rollover = true;
        bad.thresholdsPercent = {80, 50};
        auto invalid = store->saveBudget(bad);
        QVERIFY(!invalid.ok());
        QCOMPARE(invalid.error().code, std::string("budget.invalid"));
        for (const char *problem : {"above $0", "rolling window is 1 to 366", "turn rollover off", "must rise"})
            QVERIFY2(invalid.error().message.find(problem) != std::string::npos, invalid.error().message.c_str());
        QCOMPARE(store->budgets()->size(), std::size_t(3));
    }

    // The text forms the CLI and the store use, both ways, and what they refuse.
    void budgetTextForms()
    {
        std::string error;
        QCOMPARE(rl::SpendScope::parse("team:research", error)->text(), std::string("team:research"));
        QCOMPARE(rl::SpendScope::parse("org", error)->kind, rl::SpendScope::Kind::Organisation);
        QCOMPARE(rl::SpendScope::parse("tag:batch", error)->kind, rl::SpendScope::Kind::Tag);
        QVERIFY(!rl::SpendScope::parse("team:", error));
        QVERIFY(error.find("team:NAME") != std::string::npos);
        QVERIFY(!rl::SpendScope::parse("division:x", error));
        QVERIFY(error.find("org, team:NAME") != std::string::npos);
        for (const char *text : {"notify", "downgrade:2", "cap:light", "block", "block:over budget"})
            QCOMPARE(rl::BudgetEnforcement::parse(text, error)->text(), std::string(text));
        QCOMPARE(rl::BudgetEnforcement::parse("downgrade", error)->downgradeBy, 1);
        QVERIFY(!rl::BudgetEnforcement::parse("downgrade:0", error));
        QVERIFY(!rl::BudgetEnforcement::parse("cap", error));
        QVERIFY(!rl::BudgetEnforcement::parse("throttle", error));
        rl::BudgetPeriod period{};
        int days = 0;
        QVERIFY(rl::SpendBudget::parsePeriod("rolling:30", period, days, error));
        QCOMPARE(period, rl::BudgetPeriod::Rolling);
        QCOMPARE(days, 30);
        QVERIFY(rl::SpendBudget::parsePeriod("quarter", period, days, error));
        QVERIFY(!rl::SpendBudget::parsePeriod("rolling", period, days, error));
        QVERIFY(!rl::SpendBudget::parsePeriod("rolling:0", period, days, error));
        QVERIFY(!rl::SpendBudget::parsePeriod("fortnight", period, days, error));
        QCOMPARE(*rl::parseThresholds("50,80,100", error), (std::vector<int>{50, 80, 100}));
        QVERIFY(!rl::parseThresholds("50,,100", error));
        QVERIFY(!rl::parseThresholds("", error));
    }

    // A row that fails to read ends the read with that error; it is never taken for the end of the rows
    // (a price override silently dropped would price usage at the catalog's rate).
    void aRowThatFailsToReadIsAnErrorNotAShorterList()
    {
        QTemporaryDir dir;
        auto store = rl::UsageStore::open(dir.filePath(QStringLiteral("s.db")).toStdString());
        QVERIFY(store.ok());
        rl::SqliteDatabase &db = store->database();
        // abs() of the smallest integer fails at step time, here on the second row.
        auto failing = db.prepare("SELECT abs(x) FROM (SELECT 1 AS x UNION ALL SELECT -9223372036854775807 - 1)");
        QVERIFY(failing.ok());
        int rows = 0;
        rl::Result<void> read = failing->forEachRow([&] { ++rows; });
        QVERIFY(!read);
        QCOMPARE(rows, 1);
        QVERIFY(read.error().message.find("overflow") != std::string::npos);
        // The same fault under the price overrides: loading the prices fails instead of losing the override.
        QVERIFY(db.execute("DROP TABLE price_overrides; CREATE VIEW price_overrides AS SELECT 'openai/gpt-5', 0, "
                           "1000000, 0, 0, 0, 0 UNION ALL SELECT 'openai/gpt-4o', 0, abs(-9223372036854775807 - 1), "
                           "0, 0, 0, 0")
                    .ok());
        auto pricing = store->pricing();
        QVERIFY(!pricing.ok());
        QVERIFY2(pricing.error().message.find("overflow") != std::string::npos, pricing.error().message.c_str());
    }

    void pricingIsKeptInTheStore()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("s.db")).toStdString();
        constexpr std::int64_t kFeb = 1769904000000; // 2026-02-01
        {
            auto store = rl::UsageStore::open(path);
            QVERIFY(store.ok());
            rl::TokenPrices negotiated;
            negotiated.input = 1'000'000;
            QVERIFY(store->addPriceOverride({"openai/gpt-5", negotiated, kFeb}).ok());
            QVERIFY(store->addProviderDiscount({"openai", 2000, kFeb}).ok());
            QVERIFY(!store->addPriceOverride({"gpt-5", negotiated, kFeb}).ok());
            QVERIFY(!store->addProviderDiscount({"openai", 20000, kFeb}).ok());
            // A bad catalog is refused whole, and names what is wrong.
            auto bad = store->importPriceCatalog(R"({"m":{"input_cost_per_token":"x","output_cost_per_token":1e-6}})");
            QVERIFY(!bad.ok());
            QVERIFY(QString::fromStdString(bad.error().message).contains(QStringLiteral("m: input_cost_per_token")));
        }
        auto store = rl::UsageStore::open(path); // reopened: everything was persisted
        auto pricing = store->pricing();
        QVERIFY(pricing.ok());
        const rl::TokenUsage million{1'000'000, 0, 0, 0, 0};
        QCOMPARE(pricing->cost("openai/gpt-5", million, kFeb - 1).microUsd, std::int64_t(1'250'000)); // catalog
        QCOMPARE(pricing->cost("openai/gpt-5", million, kFeb).microUsd, std::int64_t(800'000));       // -20 %
        QVERIFY(
            store
                ->importPriceCatalog(
                    R"({"house-model":{"litellm_provider":"acme","input_cost_per_token":2e-06,"output_cost_per_token":4e-06}})")
                .ok());
        auto imported = store->pricing();
        QCOMPARE(imported->cost("acme/house-model", million, kFeb).microUsd, std::int64_t(2'000'000));
        QVERIFY(imported->cost("anthropic/claude-opus-4-1", million, kFeb).unpriced); // the import replaced the catalog
    }

    // A store the process may not write to (query_only stands in for a read-only file, which root can
    // write anyway): the batch fails whole with a clear message.
    void readOnlyStoreWritesNothing()
    {
        QTemporaryDir dir;
        auto store = rl::UsageStore::open(dir.filePath(QStringLiteral("s.db")).toStdString());
        QVERIFY(store.ok());
        QVERIFY(store->database().execute("PRAGMA query_only = 1").ok());
        rl::IngestBatch batch;
        batch.source = "r";
        batch.events = {makeEvent("x", kMonday, "a", 1)};
        auto result = store->ingest(batch);
        QVERIFY(!result.ok());
        QCOMPARE(QString::fromStdString(result.error().code), QStringLiteral("store.read_only"));
        QVERIFY(QString::fromStdString(result.error().message).contains(QStringLiteral("read-only")));
        QVERIFY(store->database().execute("PRAGMA query_only = 0").ok());
        QCOMPARE(scalar(store->database(), "SELECT count(*) FROM usage_events"), std::int64_t(0));
    }

    // Every migration step, from every earlier version, on a store that has data in it.
    void migratesFromEveryEarlierVersion_data()
    {
        QTest::addColumn<int>("from");
        for (int v = 0; v < rl::StoreSchema::latestVersion(); ++v)
            QTest::newRow(qPrintable(QStringLiteral("v%1").arg(v))) << v;
    }

    void migratesFromEveryEarlierVersion()
    {
        QFETCH(int, from);
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("old.db")).toStdString();
        {
            auto db = rl::SqliteDatabase::open(path);
            QVERIFY(db.ok());
            QVERIFY(rl::StoreSchema::migrate(db.value(), from).ok());
            QCOMPARE(rl::StoreSchema::version(db.value()).value(), from);
            if (from >= 1) // data written by that version: one request of 1,234 ms
                QVERIFY(
                    db->execute(
                          "INSERT INTO sources (id, name, kind, cursor, created_ms, last_ingest_ms) VALUES (1, 'r', "
                          "'router', NULL, 0, "
                          "NULL);"
                          "INSERT INTO models VALUES (1, 'openai/gpt-5');"
                          "INSERT INTO teams VALUES (1, 'legal');"
                          "INSERT INTO budgets VALUES (1, 'quarter', 5000000, 0);"
                          "INSERT INTO usage_events (source_id, request_id, time_ms, day, team_id, user_id, app_id, "
                          "tags, model_id, tier_id, rule_id, input_tokens, cached_input_tokens, cache_write_tokens, "
                          "output_tokens, reasoning_tokens, cost_micro, frontier_cost_micro, unpriced, latency_ms, "
                          "status) VALUES (1, 'old', 1767607200000, 20458, 0, 0, 0, 'batch,eu', 1, 0, 0, 1, 0, 0, 1, "
                          "0, 5, 5, 0, 1234, 0)")
                        .ok());
            if (from >= 3) // and a line of a bill of $2.50
                QVERIFY(db->execute("INSERT INTO cost_lines VALUES (1, 0, 86400000, 'd', 0, 0, 0, 0, 'openai', '', "
                                    "'', 'tokens', 2500000)")
                            .ok());
        }
        auto store = rl::UsageStore::open(path);
        QVERIFY2(store.ok(), store.ok() ? "" : store.error().message.c_str());
        QCOMPARE(rl::StoreSchema::version(store->database()).value(), rl::StoreSchema::latestVersion());
        if (from >= 3) { // version 5: the line kept its amount, and a line may now have none
            QCOMPARE(scalar(store->database(), "SELECT amount_micro FROM cost_lines"), std::int64_t(2'500'000));
            QVERIFY(store->database().execute("UPDATE cost_lines SET amount_micro = NULL").ok());
        }
        if (from > 0) {
            QVERIFY(std::filesystem::exists(path + ".backup-v" + std::to_string(from)));
            QCOMPARE(scalar(store->database(), "SELECT count(*) FROM usage_events"), std::int64_t(1)); // kept
            if (from < 2) // version 2 backfilled the latency histogram from the events
                QCOMPARE(scalar(store->database(), "SELECT bucket FROM latency_rollups"), std::int64_t(412));
            // version 3: an event no mapping changed keeps no second identity
            QCOMPARE(scalar(store->database(), "SELECT count(*) FROM usage_events WHERE source_team_id IS NULL"),
                     std::int64_t(1));
            // version 4: what was stored before is metered; the rollups rebuilt from it agree
            QCOMPARE(scalar(store->database(), "SELECT count(*) FROM usage_events WHERE unmetered = 0"),
                     std::int64_t(1));
            // version 9: the team budget of before, with the default thresholds and action; spend per tag
            auto budgets = store->budgets();
            QVERIFY(budgets.ok());
            QCOMPARE(budgets->size(), std::size_t(1));
            QCOMPARE(budgets->front().label(), std::string("team:legal · quarter"));
            QCOMPARE(budgets->front().limitMicro, std::int64_t(5'000'000));
            QCOMPARE(budgets->front().thresholdsPercent, (std::vector<int>{50, 80, 100}));
            QVERIFY(!budgets->front().enforcement.enforced());
            QCOMPARE(scalar(store->database(), "SELECT count(*) FROM tag_rollups WHERE day = 20458 AND cost_micro = 5 "
                                               "AND tag IN ('batch', 'eu')"),
                     std::int64_t(2));
            // version 8: an event stored before has no replay features (a replay counts it as not recorded)
            QCOMPARE(scalar(store->database(), "SELECT count(*) FROM usage_events WHERE has_tools IS NULL AND "
                                               "prompt_checks IS NULL AND budget_used IS NULL AND shadow_tier IS NULL"),
                     std::int64_t(1));
        }
        // version 7: no drafts, versions or deployments yet, an empty audit log that verifies, and its guard
        for (const char *table : {"policy_drafts", "published_policies", "router_deployments", "audit_log"})
            QCOMPARE(scalar(store->database(), std::string("SELECT count(*) FROM ") + table), std::int64_t(0));
        QCOMPARE(scalar(store->database(), "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
                                           "'audit_log'"),
                 std::int64_t(2));
        QVERIFY(store->verifyAudit().ok() && store->verifyAudit()->ok);
        if (from > 0) {
            // The store now says it is RouteLedger's.
            QCOMPARE(scalar(store->database(), "PRAGMA application_id"), rl::StoreSchema::kApplicationId);
        } else {
            QVERIFY(store->backupPath().empty());
        }
        rl::IngestBatch batch;
        batch.source = "r";
        batch.events = {makeEvent("x", kMonday, "a", 1)};
        QVERIFY(store->ingest(batch).ok());
    }

    void badFiles_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("code");
        QTest::newRow("not sqlite") << "text"
                                    << "store.not_a_database";
        QTest::newRow("newer version") << "newer"
                                       << "store.too_new";
        QTest::newRow("corrupt") << "corrupt"
                                 << "store.corrupt";
        QTest::newRow("missing folder") << "nofolder"
                                        << "store.cannot_open";
        QTest::newRow("another program's database") << "foreign"
                                                    << "store.not_ours";
        QTest::newRow("another program's application id") << "foreign-id"
                                                          << "store.not_ours";
        QTest::newRow("no file name") << "empty"
                                      << "store.no_path";
    }

    void badFiles()
    {
        QFETCH(QString, kind);
        QFETCH(QString, code);
        QTemporaryDir dir;
        std::string path = dir.filePath(QStringLiteral("bad.db")).toStdString();
        if (kind == QLatin1String("text")) {
            std::ofstream(path) << "these are my meeting notes, not a database\n";
        } else if (kind == QLatin1String("newer")) {
            // What a later RouteLedger writes: its own application id, a schema version this one lacks.
            auto db = rl::SqliteDatabase::open(path);
            QVERIFY(db->execute("PRAGMA application_id = " + std::to_string(rl::StoreSchema::kApplicationId)
                                + "; PRAGMA user_version = 999")
                        .ok());
        } else if (kind == QLatin1String("foreign") || kind == QLatin1String("foreign-id")) {
            auto db = rl::SqliteDatabase::open(path);
            QVERIFY(db->execute(kind == QLatin1String("foreign")
                                    ? "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes "
                                      "VALUES (1, 'mine')"
                                    : "PRAGMA application_id = 42")
                        .ok());
        } else if (kind == QLatin1String("empty")) {
            path.clear();
        } else if (kind == QLatin1String("corrupt")) {
            {
                auto store = rl::UsageStore::open(path);
                QVERIFY(store.ok());
                rl::IngestBatch batch;
                batch.source = "r";
                for (int i = 0; i < 2000; ++i)
                    batch.events.push_back(makeEvent("e" + std::to_string(i), kMonday, "team", 1));
                QVERIFY(store->ingest(batch).ok());
                QVERIFY(store->database().execute("PRAGMA wal_checkpoint(TRUNCATE)").ok());
            }
            // Scribble over the middle of the file, where the tables' pages are.
            std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
            file.seekp(4096 * 3);
            const std::string junk(4096 * 8, '\x5a');
            file.write(junk.data(), static_cast<std::streamsize>(junk.size()));
        } else {
            path = dir.filePath(QStringLiteral("no/such/folder/s.db")).toStdString();
        }
        auto store = rl::UsageStore::open(path);
        if (kind == QLatin1String("corrupt") && store.ok()) {
            // A command that writes checks first, and is refused with what to do.
            auto intact = rl::UsageStore::checkIntegrity(path);
            QVERIFY(!intact.ok());
            QCOMPARE(QString::fromStdString(intact.error().code), QStringLiteral("store.damaged"));
            QVERIFY(QString::fromStdString(intact.error().message).contains(QStringLiteral("Nothing was written")));
            // Damage may only show when the damaged pages are read: an ingest or a check must report it.
            auto check = rl::SqliteDatabase::open(path);
            auto rows = check->prepare("SELECT sum(cost_micro) FROM usage_events");
            auto stepped = rows ? rows->step() : rl::Result<bool>(rows.error());
            QVERIFY(!stepped.ok());
            QCOMPARE(QString::fromStdString(stepped.error().code), code);
            return;
        }
        QVERIFY(!store.ok());
        QCOMPARE(QString::fromStdString(store.error().code), code);
        QVERIFY(QString::fromStdString(store.error().message).contains(QString::fromStdString(path)));
        if (kind.startsWith(QLatin1String("foreign"))) {
            // Left exactly as it was: no RouteLedger table, no schema version, no WAL.
            auto db = rl::SqliteDatabase::open(path);
            QCOMPARE(scalar(db.value(), "SELECT count(*) FROM sqlite_master WHERE name = 'usage_events'"),
                     std::int64_t(0));
            QCOMPARE(scalar(db.value(), "PRAGMA user_version"), std::int64_t(0));
            QVERIFY(!std::filesystem::exists(path + "-wal"));
        }
        if (kind == QLatin1String("newer"))
            QVERIFY(QString::fromStdString(store.error().message)
                        .contains(QStringLiteral("written by a newer RouteLedger")));
    }

    void readOnlyAndLockedStores()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("s.db")).toStdString();
        {
            auto store = rl::UsageStore::open(path);
            QVERIFY(store.ok());
        }
        // Locked: another connection holds a write transaction.
        auto other = rl::SqliteDatabase::open(path);
        QVERIFY(other->execute("BEGIN EXCLUSIVE").ok());
        auto store = rl::UsageStore::open(path);
        if (store.ok()) {
            rl::IngestBatch batch;
            batch.source = "r";
            batch.events = {makeEvent("x", kMonday, "a", 1)};
            auto result = store->ingest(batch);
            QVERIFY(!result.ok());
            QCOMPARE(QString::fromStdString(result.error().code), QStringLiteral("store.locked"));
            QVERIFY(result.error().retryable);
        } else {
            QCOMPARE(QString::fromStdString(store.error().code), QStringLiteral("store.locked"));
        }
        QVERIFY(other->execute("ROLLBACK").ok());
    }

    // SQLite's max_page_count makes the disk "full": the batch fails whole and the store stays usable.
    void fullDiskLosesNothingCommitted()
    {
        QTemporaryDir dir;
        auto store = rl::UsageStore::open(dir.filePath(QStringLiteral("s.db")).toStdString());
        QVERIFY(store.ok());
        rl::IngestBatch small;
        small.source = "r";
        small.cursor = "1";
        small.events = {makeEvent("kept", kMonday, "a", 1)};
        QVERIFY(store->ingest(small).ok());
        const std::int64_t pages = scalar(store->database(), "PRAGMA page_count");
        QVERIFY(store->database().execute("PRAGMA max_page_count = " + std::to_string(pages + 2)).ok());
        rl::IngestBatch big;
        big.source = "r";
        big.cursor = "2";
        for (int i = 0; i < 5000; ++i)
            big.events.push_back(makeEvent("big" + std::to_string(i), kMonday, "team-" + std::to_string(i % 50), 1));
        auto result = store->ingest(big);
        QVERIFY(!result.ok());
        QCOMPARE(QString::fromStdString(result.error().code), QStringLiteral("store.disk_full"));
        QVERIFY(QString::fromStdString(result.error().message).contains(QStringLiteral("nothing was written")));
        QCOMPARE(scalar(store->database(), "SELECT count(*) FROM usage_events"), std::int64_t(1));
        QCOMPARE(store->cursor("r").value().value_or(""), std::string("1"));
        QVERIFY(store->database().execute("PRAGMA max_page_count = 1000000").ok());
        QVERIFY(store->ingest(big).ok()); // and it works again once there is room
    }

    // A child process ingests batches until it is killed with SIGKILL. On reopen the store is intact and
    // holds exactly the committed batches: the cursor names the last one, and there are that many events.
    void sigkillDuringIngest()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("s.db")).toStdString();
        constexpr int kPerBatch = 500;
        {
            QVERIFY(rl::UsageStore::open(path).ok());
        }
        const pid_t child = fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            auto store = rl::UsageStore::open(path);
            for (int b = 1; store.ok(); ++b) {
                rl::IngestBatch batch;
                batch.source = "r";
                batch.cursor = std::to_string(b);
                for (int i = 0; i < kPerBatch; ++i)
                    batch.events.push_back(makeEvent(std::to_string(b) + "-" + std::to_string(i), kMonday + b, "t", 1));
                if (!store->ingest(batch).ok())
                    _exit(3);
            }
            _exit(2);
        }
        // Killed mid-stream, once a few batches are committed: the condition is polled, not timed.
        auto committed = [&] {
            auto reader = rl::SqliteDatabase::open(path, rl::SqliteDatabase::Mode::ReadOnly);
            if (!reader)
                return std::int64_t(0);
            auto cursor = reader->prepare("SELECT CAST(cursor AS INTEGER) FROM sources WHERE name = 'r'");
            return cursor && cursor->step().valueOr(false) ? cursor->int64(0) : std::int64_t(0);
        };
        QElapsedTimer waited;
        waited.start();
        while (committed() < 3 && waited.elapsed() < 60'000)
            QThread::msleep(5);
        kill(child, SIGKILL);
        int status = 0;
        waitpid(child, &status, 0);
        QVERIFY(WIFSIGNALED(status));

        auto store = rl::UsageStore::open(path);
        QVERIFY(store.ok());
        auto integrity = store->database().prepare("PRAGMA integrity_check");
        QVERIFY(integrity->step().value());
        QCOMPARE(QString::fromStdString(integrity->text(0)), QStringLiteral("ok"));
        const std::int64_t batches = std::stoll(store->cursor("r").value().value_or("0"));
        QVERIFY2(batches > 0, "the child committed nothing before it was killed");
        QCOMPARE(scalar(store->database(), "SELECT count(*) FROM usage_events"), batches * kPerBatch);
        QCOMPARE(scalar(store->database(), "SELECT sum(requests) FROM daily_rollups"), batches * kPerBatch);
    }
};

ROUTELEDGER_TEST_SUITE(TestUsageStore)
#include "tst_usagestore.moc"

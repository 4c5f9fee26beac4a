#include "store/usagestore.h"

#include "store/latencybuckets.h"
#include "store/storeprices.h"
#include "store/storeschema.h"
#include "store/storesources.h"

#include <array>
#include <chrono>
#include <map>
#include <set>

namespace rl {

namespace {

constexpr std::string_view kUnitSeparator = "\x1f";

std::int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The source's own team and app: the first two parts of a bucket's or cost line's dimensions key.
std::pair<std::string, std::string> keyedIdentity(const std::string &dimensions)
{
    const std::size_t first = dimensions.find(kUnitSeparator);
    if (first == std::string::npos)
        return {dimensions, std::string()};
    const std::size_t second = dimensions.find(kUnitSeparator, first + 1);
    return {dimensions.substr(0, first),
            dimensions.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1)};
}

using RollupKey = std::array<std::int64_t, 7>; // day, source, team, app, model, tier, rule

struct RollupKeyHash {
    std::size_t operator()(const RollupKey &key) const
    {
        std::uint64_t h = 0x9E3779B97F4A7C15ull;
        for (std::int64_t part : key)
            h = (h ^ static_cast<std::uint64_t>(part)) * 0xBF58476D1CE4E5B9ull;
        return static_cast<std::size_t>(h ^ (h >> 31));
    }
};

struct RollupValues {
    std::int64_t requests = 0, errors = 0, blocked = 0, fallbacks = 0, unpriced = 0;
    std::int64_t input = 0, cachedInput = 0, cacheWrite = 0, output = 0, reasoning = 0;
    std::int64_t cost = 0, reportedCost = 0, frontierCost = 0, latencySum = 0;
    std::int64_t unmetered = 0;
};

std::string joinTags(const std::vector<std::string> &tags)
{
    std::string out;
    for (const std::string &tag : tags) {
        if (!out.empty())
            out += ',';
        out += tag;
    }
    return out;
}

std::optional<Error> validate(const IngestBatch &batch)
{
    auto bad = [&](const std::string &what) {
        return Error{"ingest.invalid", "source \"" + batch.source + "\": " + what + "; the batch was not stored",
                     false};
    };
    if (batch.source.empty())
        return bad("a batch needs a source name");
    for (const UsageEvent &e : batch.events) {
        if (e.requestId.empty())
            return bad("an event has no request id");
        const TokenUsage &t = e.tokens;
        if (t.input < 0 || t.cachedInput < 0 || t.cacheWrite < 0 || t.output < 0 || t.reasoning < 0)
            return bad("event " + e.requestId + " has a negative token count");
        if (e.costMicro < 0 || e.frontierCostMicro < 0 || (e.reportedCostMicro && *e.reportedCostMicro < 0))
            return bad("event " + e.requestId + " has a negative cost");
    }
    for (const UsageBucket &b : batch.buckets)
        if (b.endMs <= b.startMs || b.requests < 0 || b.costMicro < 0)
            return bad("a bucket starting at " + std::to_string(b.startMs) + " has an empty window or negative values");
    // Cost lines may be negative (credits and refunds appear on bills).
    for (const CostLine &c : batch.costs)
        if (c.endMs <= c.startMs)
            return bad("a cost line starting at " + std::to_string(c.startMs) + " has an empty window");
    return std::nullopt;
}

} // namespace

Result<UsageStore> UsageStore::open(const std::string &path)
{
    // SQLite takes "" for a private temporary database, which would take every write and keep none.
    if (path.empty())
        return Error{"store.no_path", "No store file given; name the store's file (for example routeledger.db)", false};
    UsageStore store;
    Result<SqliteDatabase> db = SqliteDatabase::open(path);
    if (!db)
        return db.error();
    store.m_db = std::move(db).value();
    // Reading the schema version is the first real read: a file that is not SQLite fails here.
    if (Result<int> version = StoreSchema::version(store.m_db); !version)
        return version.error();
    if (Result<void> ours = StoreSchema::recognise(store.m_db); !ours)
        return ours.error();
    for (const char *pragma : {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = OFF"})
        if (Result<bool> set = store.m_db.execute(pragma); !set)
            return set.error();
    Result<std::string> migrated = StoreSchema::migrate(store.m_db);
    if (!migrated)
        return migrated.error();
    store.m_backup = migrated.value();
    if (Result<bool> checked = store.m_db.execute("SELECT count(*) FROM sources"); !checked)
        return checked.error();

    std::string zone = "UTC";
    if (Result<SqliteStatement> query = store.m_db.prepare("SELECT value FROM settings WHERE key = 'time_zone'");
        query) {
        if (Result<bool> row = query->step(); row && row.value())
            zone = query->text(0);
    }
    Result<OrgCalendar> calendar = OrgCalendar::forZone(zone);
    if (!calendar)
        return calendar.error();
    store.m_calendar = calendar.value();
    if (Result<bool> prepared = store.prepareStatements(); !prepared)
        return prepared.error();
    if (Result<bool> loaded = store.loadIdentityMap(); !loaded)
        return loaded.error();
    return store;
}

Result<bool> UsageStore::prepareStatements()
{
    struct Item {
        SqliteStatement *target;
        const char *sql;
    };
    const Item items[] = {
        {&m_insertEvent,
         "INSERT OR IGNORE INTO usage_events (source_id, request_id, time_ms, day, team_id, user_id, app_id, tags, "
         "requested_model, model_id, provider, tier_id, rule_id, policy_version, input_tokens, cached_input_tokens, "
         "cache_write_tokens, output_tokens, reasoning_tokens, cost_micro, reported_cost_micro, frontier_cost_micro, "
         "unpriced, latency_ms, status, complexity, task, source_team_id, source_app_id, unmetered) VALUES (?1, ?2, "
         "?3, "
         "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, "
         "?27, ?28, ?29, ?30)"},
        {&m_upsertRollup, "INSERT INTO daily_rollups VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                          "?14, ?15, ?16, ?17, "
                          "?18, ?19, ?20, ?21, ?22) ON CONFLICT DO UPDATE SET requests = requests + excluded.requests, "
                          "errors = errors + excluded.errors, blocked = blocked + excluded.blocked, "
                          "fallbacks = fallbacks + excluded.fallbacks, unpriced = unpriced + excluded.unpriced, "
                          "input_tokens = input_tokens + excluded.input_tokens, "
                          "cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens, "
                          "cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, "
                          "output_tokens = output_tokens + excluded.output_tokens, "
                          "reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, "
                          "cost_micro = cost_micro + excluded.cost_micro, "
                          "reported_cost_micro = reported_cost_micro + excluded.reported_cost_micro, "
                          "frontier_cost_micro = frontier_cost_micro + excluded.frontier_cost_micro, "
                          "latency_ms_sum = latency_ms_sum + excluded.latency_ms_sum, "
                          "unmetered = unmetered + excluded.unmetered"},
        {&m_selectBucket,
         "SELECT day, team_id, app_id, model_id, requests, input_tokens, cached_input_tokens, cache_write_tokens, "
         "output_tokens, reasoning_tokens, cost_micro, COALESCE(reported_cost_micro, 0), unpriced FROM usage_buckets "
         "WHERE source_id = ?1 AND start_ms = ?2 AND dimensions = ?3"},
        {&m_upsertBucket, "INSERT OR REPLACE INTO usage_buckets VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                          "?12, ?13, ?14, ?15, "
                          "?16, ?17, ?18, ?19, ?20)"},
        {&m_policyVersion, "INSERT INTO policy_versions VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE SET "
                           "first_seen_ms = min(first_seen_ms, excluded.first_seen_ms)"},
        {&m_setCursor, "UPDATE sources SET cursor = ?2, last_ingest_ms = ?3 WHERE id = ?1"},
        {&m_upsertCost, "INSERT OR REPLACE INTO cost_lines VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                        "?13)"},
        {&m_upsertUser, "INSERT INTO user_rollups VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE SET "
                        "requests = requests + excluded.requests, cost_micro = cost_micro + excluded.cost_micro"},
        {&m_upsertLatency, "INSERT INTO latency_rollups VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET "
                           "requests = requests + excluded.requests"},
    };
    for (const Item &item : items) {
        Result<SqliteStatement> statement = m_db.prepare(item.sql);
        if (!statement)
            return statement.error();
        *item.target = std::move(statement).value();
    }
    return true;
}

void UsageStore::forgetCachedIds()
{
    m_ids.clear();
}

Result<std::int64_t> UsageStore::cachedId(const std::string &cacheKey, const std::string &name, const std::string &sql,
                                          const std::optional<std::string> &extra, std::optional<int> rank)
{
    auto &cache = m_ids[cacheKey];
    if (auto it = cache.find(name); it != cache.end())
        return it->second;
    Result<SqliteStatement> insert = m_db.prepare(sql);
    if (!insert)
        return insert.error();
    insert->bind(1, name);
    if (extra)
        insert->bind(2, *extra);
    if (rank)
        insert->bind(2, *rank);
    Result<bool> row = insert->step();
    if (!row)
        return row.error();
    const std::int64_t id = insert->int64(0);
    cache.emplace(name, id);
    return id;
}

Result<std::int64_t> UsageStore::dimension(const char *table, const std::string &name)
{
    if (name.empty())
        return std::int64_t(0);
    return cachedId(table, name,
                    std::string("INSERT INTO ") + table
                        + " (name) VALUES (?1) ON CONFLICT(name) DO UPDATE SET name = name RETURNING id",
                    std::nullopt, std::nullopt);
}

Result<std::int64_t> UsageStore::tierId(const std::string &name, int rank)
{
    if (name.empty())
        return std::int64_t(0);
    return cachedId("tiers", name,
                    "INSERT INTO tiers (name, rank) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET "
                    "rank = CASE WHEN excluded.rank >= 0 THEN excluded.rank ELSE rank END RETURNING id",
                    std::nullopt, rank);
}

Result<std::int64_t> UsageStore::sourceId(const std::string &name, const std::string &kind)
{
    return cachedId("sources", name,
                    "INSERT INTO sources (name, kind, created_ms) VALUES (?1, ?2, 0) ON CONFLICT(name) DO UPDATE SET "
                    "name = name RETURNING id",
                    kind, std::nullopt);
}

Result<void> UsageStore::checkIntegrity(const std::string &path)
{
    Result<SqliteDatabase> db = SqliteDatabase::open(path, SqliteDatabase::Mode::ReadOnly);
    if (!db)
        return db.error();
    auto damaged = [&](const std::string &what) {
        return Error{"store.damaged",
                     path + " is damaged (" + what
                         + "). Nothing was written; restore it from a backup (a .backup-vN file beside it, if there "
                           "is one) or build a new store from its sources",
                     false};
    };
    Result<SqliteStatement> check = db->prepare("PRAGMA integrity_check(5)");
    if (!check)
        return damaged(check.error().message);
    std::vector<std::string> problems;
    for (;;) {
        Result<bool> row = check->step();
        if (!row)
            return damaged(row.error().message);
        if (!row.value())
            break;
        if (std::string line = check->text(0); line != "ok")
            problems.push_back(std::move(line));
    }
    if (problems.empty())
        return {};
    return damaged("SQLite's integrity check: " + problems.front() + (problems.size() > 1 ? ", and more" : ""));
}

Result<IngestResult> UsageStore::ingest(const IngestBatch &batch)
{
    if (std::optional<Error> invalid = validate(batch))
        return *invalid;
    IngestResult result;
    SqliteTransaction transaction(m_db);
    if (Result<bool> begun = transaction.begin(); !begun)
        return begun.error();
    auto fail = [&](const Error &error) -> Result<IngestResult> {
        forgetCachedIds(); // ids handed out inside the rolled-back transaction no longer exist
        return error;
    };
#define RL_TRY(var, expr)                                                                                              \
    auto var##Result = (expr);                                                                                         \
    if (!var##Result)                                                                                                  \
        return fail(var##Result.error());                                                                              \
    const auto var = var##Result.value();

    RL_TRY(source, sourceId(batch.source, batch.sourceKind));
    std::unordered_map<RollupKey, RollupValues, RollupKeyHash> rollups;
    std::map<std::int64_t, std::int64_t> policyVersions;           // version -> first seen
    std::map<std::array<std::int64_t, 3>, std::int64_t> latencies; // (day, model, bucket) -> requests
    std::map<std::array<std::int64_t, 3>, std::pair<std::int64_t, std::int64_t>> users; // (day, team, user)

    const bool mapped = !m_identities.empty();
    IdentityMap::Identity identity;
    for (const UsageEvent &e : batch.events) {
        if (mapped)
            identity = m_identities.resolve({e.team, e.app, {}, {}, &e.tags});
        RL_TRY(team, dimension("teams", mapped ? identity.team : e.team));
        RL_TRY(user, dimension("users", e.user));
        RL_TRY(app, dimension("apps", mapped ? identity.app : e.app));
        RL_TRY(model, dimension("models", e.model));
        RL_TRY(rule, dimension("rules", e.rule));
        RL_TRY(tier, tierId(e.tier, e.tierRank));
        const std::int64_t day = m_calendar.dayOf(e.timeMs);
        SqliteStatement &s = m_insertEvent;
        // The event's strings outlive the step, so they are bound without copies.
        const std::string tags = joinTags(e.tags);
        s.bind(1, source).bindStatic(2, e.requestId).bind(3, e.timeMs).bind(4, day).bind(5, team).bind(6, user);
        s.bind(7, app).bindStatic(8, tags).bindStatic(9, e.requestedModel).bind(10, model).bindStatic(11, e.provider);
        s.bind(12, tier);
        s.bind(13, rule).bind(14, e.policyVersion).bind(15, e.tokens.input).bind(16, e.tokens.cachedInput);
        s.bind(17, e.tokens.cacheWrite).bind(18, e.tokens.output).bind(19, e.tokens.reasoning).bind(20, e.costMicro);
        s.bind(21, e.reportedCostMicro).bind(22, e.frontierCostMicro).bind(23, e.unpriced ? 1 : 0);
        s.bind(24, e.latencyMs).bind(25, static_cast<int>(e.status));
        if (e.complexity)
            s.bind(26, *e.complexity);
        else
            s.bindNull(26);
        s.bindStatic(27, e.task);
        // The source's own team and app are kept only where a mapping changed them (NULL costs nothing).
        if (mapped && identity.team != e.team) {
            RL_TRY(sourceTeam, dimension("teams", e.team));
            s.bind(28, sourceTeam);
        } else {
            s.bindNull(28);
        }
        if (mapped && identity.app != e.app) {
            RL_TRY(sourceApp, dimension("apps", e.app));
            s.bind(29, sourceApp);
        } else {
            s.bindNull(29);
        }
        s.bind(30, e.unmetered ? 1 : 0);
        RL_TRY(stored, s.run());
        (void)stored;
        if (m_db.changes() == 0) {
            ++result.duplicates;
            continue;
        }
        ++result.inserted;
        RollupValues &r = rollups[{day, source, team, app, model, tier, rule}];
        ++r.requests;
        r.errors += e.status == UsageStatus::Error;
        r.blocked += e.status == UsageStatus::Blocked;
        r.fallbacks += e.status == UsageStatus::Fallback;
        r.unpriced += e.unpriced;
        r.unmetered += e.unmetered;
        r.input += e.tokens.input;
        r.cachedInput += e.tokens.cachedInput;
        r.cacheWrite += e.tokens.cacheWrite;
        r.output += e.tokens.output;
        r.reasoning += e.tokens.reasoning;
        r.cost += e.costMicro;
        r.reportedCost += e.reportedCostMicro.value_or(0);
        r.frontierCost += e.frontierCostMicro;
        r.latencySum += e.latencyMs;
        if (e.status != UsageStatus::Blocked)
            ++latencies[{day, model, LatencyBuckets::bucketOf(e.latencyMs)}];
        auto &perUser = users[{day, team, user}];
        ++perUser.first;
        perUser.second += e.costMicro;
        if (e.policyVersion > 0) {
            auto [it, added] = policyVersions.emplace(e.policyVersion, e.timeMs);
            if (!added && e.timeMs < it->second)
                it->second = e.timeMs;
        }
    }

    // A revised bucket replaces the old one; the rollups move by the difference.
    auto subtractStoredBucket = [&rollups, source](SqliteStatement &row, int first) {
        RollupValues &old =
            rollups[{row.int64(first), source, row.int64(first + 1), row.int64(first + 2), row.int64(first + 3), 0, 0}];
        const std::int64_t requests = row.int64(first + 4);
        const std::int64_t cost = row.int64(first + 10);
        old.requests -= requests;
        old.input -= row.int64(first + 5);
        old.cachedInput -= row.int64(first + 6);
        old.cacheWrite -= row.int64(first + 7);
        old.output -= row.int64(first + 8);
        old.reasoning -= row.int64(first + 9);
        old.cost -= cost;
        old.reportedCost -= row.int64(first + 11);
        old.frontierCost -= cost;
        old.unpriced -= row.int64(first + 12) ? requests : 0;
    };
    std::vector<std::string> bucketKeys;
    bucketKeys.reserve(batch.buckets.size());
    for (const UsageBucket &b : batch.buckets) {
        std::string dimensions = b.team;
        for (const std::string *part : {&b.app, &b.model, &b.provider, &b.project, &b.apiKey})
            dimensions.append(kUnitSeparator).append(*part);
        if (!b.priceTerms.empty()) // standard rows keep the key they had before terms were told apart
            dimensions.append(kUnitSeparator).append(b.priceTerms);
        bucketKeys.push_back(std::move(dimensions));
    }
    if (batch.replaceBuckets) {
        std::set<std::pair<std::int64_t, std::string_view>> kept;
        for (std::size_t i = 0; i < batch.buckets.size(); ++i)
            kept.emplace(batch.buckets[i].startMs, bucketKeys[i]);
        Result<SqliteStatement> storedRows =
            m_db.prepare("SELECT start_ms, dimensions, day, team_id, app_id, model_id, requests, "
                         "input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, "
                         "reasoning_tokens, cost_micro, COALESCE(reported_cost_micro, 0), unpriced FROM "
                         "usage_buckets WHERE source_id = ?1 AND start_ms >= ?2 AND start_ms < ?3");
        if (!storedRows)
            return fail(storedRows.error());
        Result<SqliteStatement> removeRow =
            m_db.prepare("DELETE FROM usage_buckets WHERE source_id = ?1 AND start_ms = ?2 AND dimensions = ?3");
        if (!removeRow)
            return fail(removeRow.error());
        SqliteStatement rows = std::move(storedRows).value();
        SqliteStatement removal = std::move(removeRow).value();
        rows.bind(1, source).bind(2, batch.replaceBuckets->fromMs).bind(3, batch.replaceBuckets->toMs);
        std::vector<std::pair<std::int64_t, std::string>> gone; // deleted after the scan, not under it
        for (;;) {
            RL_TRY(more, rows.step());
            if (!more)
                break;
            std::string dimensions = rows.text(1);
            if (kept.count({rows.int64(0), dimensions}))
                continue;
            subtractStoredBucket(rows, 2);
            gone.emplace_back(rows.int64(0), std::move(dimensions));
        }
        rows.reset();
        for (const auto &[startMs, dimensions] : gone) {
            removal.bind(1, source).bind(2, startMs).bind(3, dimensions);
            RL_TRY(removed, removal.run());
            (void)removed;
            ++result.bucketsRemoved;
        }
    }
    for (std::size_t i = 0; i < batch.buckets.size(); ++i) {
        const UsageBucket &b = batch.buckets[i];
        const std::string &dimensions = bucketKeys[i];
        // The key keeps the source's own team and app, so a revised bucket finds its row under any mapping.
        if (mapped)
            identity = m_identities.resolve({b.team, b.app, b.project, b.apiKey, nullptr});
        RL_TRY(team, dimension("teams", mapped ? identity.team : b.team));
        RL_TRY(app, dimension("apps", mapped ? identity.app : b.app));
        RL_TRY(model, dimension("models", b.model));
        const std::int64_t day = m_calendar.dayOf(b.startMs);
        m_selectBucket.bind(1, source).bind(2, b.startMs).bind(3, dimensions);
        RL_TRY(hadOld, m_selectBucket.step());
        if (hadOld)
            subtractStoredBucket(m_selectBucket, 0);
        m_selectBucket.reset();
        SqliteStatement &s = m_upsertBucket;
        s.bind(1, source).bind(2, b.startMs).bind(3, b.endMs).bind(4, dimensions).bind(5, day).bind(6, team);
        s.bind(7, app).bind(8, model).bind(9, b.provider).bind(10, b.project).bind(11, b.apiKey).bind(12, b.requests);
        s.bind(13, b.tokens.input)
            .bind(14, b.tokens.cachedInput)
            .bind(15, b.tokens.cacheWrite)
            .bind(16, b.tokens.output);
        s.bind(17, b.tokens.reasoning).bind(18, b.costMicro).bind(19, b.reportedCostMicro).bind(20, b.unpriced ? 1 : 0);
        RL_TRY(stored, s.run());
        (void)stored;
        ++result.bucketsUpserted;
        RollupValues &r = rollups[{day, source, team, app, model, 0, 0}];
        r.requests += b.requests;
        r.input += b.tokens.input;
        r.cachedInput += b.tokens.cachedInput;
        r.cacheWrite += b.tokens.cacheWrite;
        r.output += b.tokens.output;
        r.reasoning += b.tokens.reasoning;
        r.cost += b.costMicro;
        r.reportedCost += b.reportedCostMicro.value_or(0);
        r.frontierCost += b.costMicro; // buckets are not routed: nothing saved
        r.unpriced += b.unpriced ? b.requests : 0;
    }

    for (const CostLine &c : batch.costs) {
        if (mapped)
            identity = m_identities.resolve({c.team, c.app, c.project, c.apiKey, nullptr});
        RL_TRY(team, dimension("teams", mapped ? identity.team : c.team));
        RL_TRY(app, dimension("apps", mapped ? identity.app : c.app));
        RL_TRY(model, dimension("models", c.model));
        std::string dimensions = c.team;
        for (const std::string *part : {&c.app, &c.model, &c.provider, &c.project, &c.apiKey, &c.lineItem})
            dimensions.append(kUnitSeparator).append(*part);
        SqliteStatement &s = m_upsertCost;
        s.bind(1, source).bind(2, c.startMs).bind(3, c.endMs).bind(4, dimensions).bind(5, m_calendar.dayOf(c.startMs));
        s.bind(6, team).bind(7, app).bind(8, model).bind(9, c.provider).bind(10, c.project).bind(11, c.apiKey);
        s.bind(12, c.lineItem).bind(13, c.amountMicro);
        RL_TRY(stored, s.run());
        (void)stored;
        ++result.costLinesUpserted;
    }

    for (const auto &[key, r] : rollups) {
        SqliteStatement &s = m_upsertRollup;
        for (int i = 0; i < 7; ++i)
            s.bind(i + 1, key[static_cast<std::size_t>(i)]);
        const std::int64_t values[] = {r.requests, r.errors,       r.blocked,      r.fallbacks,  r.unpriced,
                                       r.input,    r.cachedInput,  r.cacheWrite,   r.output,     r.reasoning,
                                       r.cost,     r.reportedCost, r.frontierCost, r.latencySum, r.unmetered};
        for (int i = 0; i < 15; ++i)
            s.bind(8 + i, values[i]);
        RL_TRY(stored, s.run());
        (void)stored;
    }
    for (const auto &[key, requests] : latencies) {
        m_upsertLatency.bind(1, key[0]).bind(2, key[1]).bind(3, key[2]).bind(4, requests);
        RL_TRY(stored, m_upsertLatency.run());
        (void)stored;
    }
    for (const auto &[key, totals] : users) {
        m_upsertUser.bind(1, key[0]).bind(2, key[1]).bind(3, key[2]).bind(4, totals.first).bind(5, totals.second);
        RL_TRY(stored, m_upsertUser.run());
        (void)stored;
    }
    for (const auto &[version, firstSeen] : policyVersions) {
        m_policyVersion.bind(1, source).bind(2, version).bind(3, firstSeen);
        RL_TRY(stored, m_policyVersion.run());
        (void)stored;
    }
    if (batch.cursor) {
        m_setCursor.bind(1, source).bind(2, *batch.cursor).bind(3, nowMs());
        RL_TRY(stored, m_setCursor.run());
        (void)stored;
    }
    RL_TRY(committed, transaction.commit());
    (void)committed;
#undef RL_TRY
    return result;
}

Result<std::optional<std::string>> UsageStore::cursor(const std::string &source)
{
    Result<SqliteStatement> query = m_db.prepare("SELECT cursor FROM sources WHERE name = ?1");
    if (!query)
        return query.error();
    query->bind(1, source);
    Result<bool> row = query->step();
    if (!row)
        return row.error();
    if (!row.value() || query->isNull(0))
        return std::optional<std::string>();
    return std::optional<std::string>(query->text(0));
}

Result<bool> UsageStore::setTimeZone(const std::string &ianaName)
{
    Result<OrgCalendar> calendar = OrgCalendar::forZone(ianaName);
    if (!calendar)
        return calendar.error();
    Result<SqliteStatement> save =
        m_db.prepare("INSERT INTO settings VALUES ('time_zone', ?1) ON CONFLICT DO UPDATE SET value = excluded.value");
    if (!save)
        return save.error();
    save->bind(1, ianaName);
    SqliteTransaction transaction(m_db);
    if (Result<bool> begun = transaction.begin(); !begun)
        return begun;
    if (Result<bool> saved = save->run(); !saved)
        return saved;
    // Re-cut every stored day in the new zone, then rebuild the rollups from the rows.
    struct Recut {
        const char *select;
        const char *update;
        int keyColumns; // columns before the time that identify the row
    };
    const Recut recuts[] = {
        {"SELECT id, time_ms FROM usage_events", "UPDATE usage_events SET day = ?2 WHERE id = ?1", 1},
        {"SELECT source_id, dimensions, start_ms FROM usage_buckets",
         "UPDATE usage_buckets SET day = ?4 WHERE source_id = ?1 AND dimensions = ?2 AND start_ms = ?3", 2},
        {"SELECT source_id, dimensions, start_ms FROM cost_lines",
         "UPDATE cost_lines SET day = ?4 WHERE source_id = ?1 AND dimensions = ?2 AND start_ms = ?3", 2},
    };
    for (const Recut &recut : recuts) {
        Result<SqliteStatement> rows = m_db.prepare(recut.select);
        Result<SqliteStatement> update = m_db.prepare(recut.update);
        if (!rows)
            return rows.error();
        if (!update)
            return update.error();
        if (Result<void> rowsRead = rows->forEachRow([&]() -> Result<void> {
                const std::int64_t time = rows->int64(recut.keyColumns);
                update->bind(1, rows->int64(0));
                if (recut.keyColumns == 2)
                    update->bind(2, rows->text(1)).bind(3, time).bind(4, calendar->dayOf(time));
                else
                    update->bind(2, calendar->dayOf(time));
                if (Result<bool> updated = update->run(); !updated)
                    return updated.error();
                return {};
            });
            !rowsRead)
            return rowsRead.error();
    }
    m_calendar = calendar.value();
    if (Result<bool> rebuilt = rebuildRollups(); !rebuilt)
        return rebuilt;
    return transaction.commit();
}

Result<bool> UsageStore::rebuildRollups()
{
    return m_db.execute(R"SQL(
DELETE FROM user_rollups;
INSERT INTO user_rollups SELECT day, team_id, user_id, count(*), sum(cost_micro) FROM usage_events GROUP BY 1, 2, 3;
DELETE FROM latency_rollups;
INSERT INTO latency_rollups
SELECT day, model_id,
       CASE WHEN latency_ms < 10 THEN max(latency_ms, 0)
            ELSE length(CAST(latency_ms AS TEXT)) * 100 + CAST(substr(CAST(latency_ms AS TEXT), 1, 2) AS INTEGER) END,
       count(*)
FROM usage_events WHERE status != 2 GROUP BY 1, 2, 3;
DELETE FROM daily_rollups;
INSERT INTO daily_rollups
SELECT day, source_id, team_id, app_id, model_id, tier_id, rule_id, count(*), sum(status = 1), sum(status = 2),
       sum(status = 3), sum(unpriced), sum(input_tokens), sum(cached_input_tokens), sum(cache_write_tokens),
       sum(output_tokens), sum(reasoning_tokens), sum(cost_micro), sum(COALESCE(reported_cost_micro, 0)),
       sum(frontier_cost_micro), sum(latency_ms), sum(unmetered)
FROM usage_events GROUP BY 1, 2, 3, 4, 5, 6, 7;
INSERT INTO daily_rollups
SELECT day, source_id, team_id, app_id, model_id, 0, 0, sum(requests), 0, 0, 0, sum(unpriced * requests),
       sum(input_tokens), sum(cached_input_tokens), sum(cache_write_tokens), sum(output_tokens), sum(reasoning_tokens),
       sum(cost_micro), sum(COALESCE(reported_cost_micro, 0)), sum(cost_micro), 0, 0
FROM usage_buckets WHERE true GROUP BY 1, 2, 3, 4, 5
ON CONFLICT DO UPDATE SET requests = requests + excluded.requests, unpriced = unpriced + excluded.unpriced,
  input_tokens = input_tokens + excluded.input_tokens,
  cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens,
  cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
  output_tokens = output_tokens + excluded.output_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
  cost_micro = cost_micro + excluded.cost_micro, reported_cost_micro = reported_cost_micro + excluded.reported_cost_micro,
  frontier_cost_micro = frontier_cost_micro + excluded.frontier_cost_micro;
)SQL");
}

Result<bool> UsageStore::importPriceCatalog(std::string_view json)
{
    return StorePrices(m_db).importCatalog(json);
}
Result<bool> UsageStore::addPriceOverride(const PriceOverride &o)
{
    return StorePrices(m_db).addOverride(o);
}
Result<bool> UsageStore::addProviderDiscount(const ProviderDiscount &d)
{
    return StorePrices(m_db).addDiscount(d);
}
Result<Pricing> UsageStore::pricing()
{
    return StorePrices(m_db).load();
}

Result<bool> UsageStore::setBudget(const TeamBudget &budget)
{
    if (budget.team.empty() || budget.limitMicro <= 0)
        return Error{"budget.invalid", "a budget needs a team and an amount above $0", false};
    Result<std::int64_t> team = dimension("teams", budget.team);
    if (!team)
        return team.error();
    Result<SqliteStatement> save =
        m_db.prepare("INSERT INTO budgets VALUES (?1, ?2, ?3, 0) ON CONFLICT DO UPDATE SET period = excluded.period, "
                     "limit_micro = excluded.limit_micro");
    if (!save)
        return save.error();
    save->bind(1, team.value()).bind(2, std::string_view(budgetPeriodName(budget.period))).bind(3, budget.limitMicro);
    return save->run();
}

Result<bool> UsageStore::removeBudget(const std::string &team)
{
    Result<SqliteStatement> remove =
        m_db.prepare("DELETE FROM budgets WHERE team_id = (SELECT id FROM teams WHERE name = ?1)");
    if (!remove)
        return remove.error();
    remove->bind(1, team);
    return remove->run();
}

Result<std::vector<TeamBudget>> UsageStore::budgets()
{
    Result<SqliteStatement> query = m_db.prepare(
        "SELECT t.name, b.period, b.limit_micro FROM budgets b JOIN teams t ON t.id = b.team_id ORDER BY t.name");
    if (!query)
        return query.error();
    std::vector<TeamBudget> out;
    if (Result<void> rowsRead = query->forEachRow([&] {
            TeamBudget budget;
            budget.team = query->text(0);
            budgetPeriodFromName(query->text(1), budget.period);
            budget.limitMicro = query->int64(2);
            out.push_back(std::move(budget));
        });
        !rowsRead)
        return rowsRead.error();
    return out;
}

Result<bool> UsageStore::loadIdentityMap()
{
    Result<SqliteStatement> query = m_db.prepare("SELECT field, value, team, app FROM identity_mappings ORDER BY 1, 2");
    if (!query)
        return query.error();
    std::vector<IdentityMapping> mappings;
    if (Result<void> rowsRead = query->forEachRow([&]() -> Result<void> {
            std::optional<IdentityField> field = identityFieldFromName(query->text(0));
            if (!field)
                return {}; // written by a newer version: ignored rather than misapplied
            mappings.push_back({*field, query->text(1), query->text(2), query->text(3)});
            return {};
        });
        !rowsRead)
        return rowsRead.error();
    m_identities = IdentityMap(std::move(mappings));
    return true;
}

Result<bool> UsageStore::setIdentityMappings(const std::vector<IdentityMapping> &mappings)
{
    if (std::vector<std::string> problems = IdentityMap::problems(mappings); !problems.empty()) {
        std::string message = "the identity mappings were not saved: ";
        for (std::size_t i = 0; i < problems.size(); ++i)
            message += (i ? "; " : "") + problems[i];
        return Error{"mapping.invalid", message, false};
    }
    const IdentityMap previous = m_identities;
    SqliteTransaction transaction(m_db);
    auto fail = [&](const Error &error) -> Result<bool> {
        m_identities = previous;
        forgetCachedIds();
        return error;
    };
    if (Result<bool> begun = transaction.begin(); !begun)
        return begun;
    if (Result<bool> cleared = m_db.execute("DELETE FROM identity_mappings"); !cleared)
        return fail(cleared.error());
    Result<SqliteStatement> insert = m_db.prepare("INSERT INTO identity_mappings VALUES (?1, ?2, ?3, ?4)");
    if (!insert)
        return fail(insert.error());
    for (const IdentityMapping &m : mappings) {
        insert->bind(1, identityFieldName(m.field)).bind(2, m.value).bind(3, m.team).bind(4, m.app);
        if (Result<bool> stored = insert->run(); !stored)
            return fail(stored.error());
    }
    m_identities = IdentityMap(mappings);
    if (Result<bool> applied = reapplyIdentities(); !applied)
        return fail(applied.error());
    if (Result<bool> rebuilt = rebuildRollups(); !rebuilt)
        return fail(rebuilt.error());
    if (Result<bool> committed = transaction.commit(); !committed)
        return fail(committed.error());
    return true;
}

Result<std::pair<std::int64_t, std::int64_t>> UsageStore::resolvedIds(const IdentityMap::Record &record)
{
    const IdentityMap::Identity identity = m_identities.resolve(record);
    Result<std::int64_t> teamId = dimension("teams", identity.team);
    if (!teamId)
        return teamId.error();
    Result<std::int64_t> appId = dimension("apps", identity.app);
    if (!appId)
        return appId.error();
    return std::pair{teamId.value(), appId.value()};
}

Result<bool> UsageStore::reapplyIdentities()
{
    // Dimension names by id, for the events' own team and app.
    std::unordered_map<std::int64_t, std::string> teamNames, appNames;
    for (const auto &entry : {std::pair{"teams", &teamNames}, std::pair{"apps", &appNames}}) {
        auto *names = entry.second; // a plain variable: a lambda may not capture a structured binding (clang 14)
        Result<SqliteStatement> all = m_db.prepare(std::string("SELECT id, name FROM ") + entry.first);
        if (!all)
            return all.error();
        if (Result<void> rowsRead = all->forEachRow([&] { names->emplace(all->int64(0), all->text(1)); }); !rowsRead)
            return rowsRead.error();
    }
    Result<SqliteStatement> events =
        m_db.prepare("SELECT id, COALESCE(source_team_id, team_id), COALESCE(source_app_id, app_id), tags, team_id, "
                     "app_id FROM usage_events");
    Result<SqliteStatement> updateEvent = m_db.prepare(
        "UPDATE usage_events SET team_id = ?2, app_id = ?3, source_team_id = ?4, source_app_id = ?5 WHERE id = ?1");
    if (!events)
        return events.error();
    if (!updateEvent)
        return updateEvent.error();
    if (Result<void> rowsRead = events->forEachRow([&]() -> Result<void> {
            const std::int64_t ownTeam = events->int64(1), ownApp = events->int64(2);
            const std::vector<std::string> tags = splitStoredTags(events->text(3));
            auto ids = resolvedIds({teamNames[ownTeam], appNames[ownApp], {}, {}, &tags});
            if (!ids)
                return ids.error();
            const auto [teamId, appId] = ids.value();
            if (teamId == events->int64(4) && appId == events->int64(5))
                return {};
            updateEvent->bind(1, events->int64(0)).bind(2, teamId).bind(3, appId);
            if (teamId == ownTeam)
                updateEvent->bindNull(4);
            else
                updateEvent->bind(4, ownTeam);
            if (appId == ownApp)
                updateEvent->bindNull(5);
            else
                updateEvent->bind(5, ownApp);
            if (Result<bool> updated = updateEvent->run(); !updated)
                return updated.error();
            return {};
        });
        !rowsRead)
        return rowsRead.error();
    for (const char *table : {"usage_buckets", "cost_lines"}) {
        Result<SqliteStatement> rows = m_db.prepare(std::string("SELECT source_id, start_ms, dimensions, project, "
                                                                "api_key, team_id, app_id FROM ")
                                                    + table);
        Result<SqliteStatement> update =
            m_db.prepare(std::string("UPDATE ") + table
                         + " SET team_id = ?4, app_id = ?5 WHERE source_id = ?1 AND start_ms = ?2 AND dimensions = ?3");
        if (!rows)
            return rows.error();
        if (!update)
            return update.error();
        if (Result<void> rowsRead = rows->forEachRow([&]() -> Result<void> {
                const std::string dimensions = rows->text(2);
                const auto [team, app] = keyedIdentity(dimensions);
                const std::string project = rows->text(3), apiKey = rows->text(4);
                auto ids = resolvedIds({team, app, project, apiKey, nullptr});
                if (!ids)
                    return ids.error();
                const auto [teamId, appId] = ids.value();
                if (teamId == rows->int64(5) && appId == rows->int64(6))
                    return {};
                update->bind(1, rows->int64(0)).bind(2, rows->int64(1)).bind(3, dimensions);
                update->bind(4, teamId).bind(5, appId);
                if (Result<bool> updated = update->run(); !updated)
                    return updated.error();
                return {};
            });
            !rowsRead)
            return rowsRead.error();
    }
    return true;
}

Result<std::vector<SourceSettings>> UsageStore::sourceSettings()
{
    return StoreSources(m_db).settings();
}
Result<bool> UsageStore::saveSourceSettings(const SourceSettings &settings)
{
    return StoreSources(m_db).save(settings);
}
Result<bool> UsageStore::removeSourceSettings(const std::string &name)
{
    return StoreSources(m_db).remove(name);
}
Result<std::vector<SourceTotals>> UsageStore::sourceTotals()
{
    return StoreSources(m_db).totals();
}
Result<bool> UsageStore::renameSource(const std::string &from, const std::string &to)
{
    forgetCachedIds(); // source ids are cached by name
    return StoreSources(m_db).rename(from, to);
}
Result<bool> UsageStore::resetCursors(const std::string &name)
{
    return StoreSources(m_db).resetCursors(name);
}

} // namespace rl

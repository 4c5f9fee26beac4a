#include "store/usagestore.h"

#include "budget/budgetjson.h"

#include "boundedjson.h"
#include "digest.h"
#include "osuser.h"
#include "routing/promptchecks.h"
#include "store/auditlog.h"
#include "store/dimensionskey.h"
#include "store/storeidentities.h"
#include "store/storeprices.h"
#include "store/storeschema.h"
#include "store/storesources.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <set>

namespace rl {

namespace {

constexpr const char *kInsertEvent =
    "INSERT OR IGNORE INTO usage_events (source_id, request_id, time_ms, day, team_id, user_id, app_id, tags, "
    "requested_model, model_id, provider, tier_id, rule_id, policy_version, input_tokens, cached_input_tokens, "
    "cache_write_tokens, output_tokens, reasoning_tokens, cost_micro, reported_cost_micro, frontier_cost_micro, "
    "unpriced, latency_ms, status, complexity, task, source_team_id, source_app_id, unmetered, has_tools, has_images, "
    "stream, routed_input_tokens, budget_used, prompt_checks, routed_model, shadow_policy_version, shadow_tier, "
    "shadow_model, shadow_rule, shadow_blocked, shadow_cost_micro, escalation_of) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
    "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, "
    "?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?41, ?42, ?43, ?44)";
constexpr const char *kUpsertFeedback = "INSERT OR REPLACE INTO feedback VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char *kUpsertBucket = "INSERT OR REPLACE INTO usage_buckets VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                                      "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)";
constexpr const char *kSetCursor = "UPDATE sources SET cursor = ?2, last_ingest_ms = ?3 WHERE id = ?1";
constexpr const char *kUpsertCost =
    "INSERT OR REPLACE INTO cost_lines VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

void bindFlag(SqliteStatement &s, int index, const std::optional<bool> &flag)
{
    if (flag)
        s.bind(index, *flag ? 1 : 0);
    else
        s.bindNull(index);
}

// The replay features, the routed model, the shadow outcome and the escalation (schema 8), from `first` on; NULL
// for what the source did not record.
void bindFeatures(SqliteStatement &s, int first, const UsageEvent &e)
{
    const RoutingFeatures &f = e.features;
    bindFlag(s, first, f.hasTools);
    bindFlag(s, first + 1, f.hasImages);
    bindFlag(s, first + 2, f.stream);
    s.bind(first + 3, f.inputTokens);
    if (f.budgetUsed)
        s.bind(first + 4, *f.budgetUsed);
    else
        s.bindNull(first + 4);
    if (f.promptChecks)
        s.bind(first + 5, PromptChecks::encode(*f.promptChecks));
    else
        s.bindNull(first + 5);
    if (e.routedModel.empty())
        s.bindNull(first + 6);
    else
        s.bindStatic(first + 6, e.routedModel);
    if (e.escalationOf.empty())
        s.bindNull(first + 13);
    else
        s.bindStatic(first + 13, e.escalationOf);
    if (!e.shadow) {
        for (int i = 7; i <= 12; ++i)
            s.bindNull(first + i);
        return;
    }
    const ShadowOutcome &shadow = *e.shadow;
    s.bind(first + 7, shadow.policyVersion).bindStatic(first + 8, shadow.tier).bindStatic(first + 9, shadow.model);
    s.bindStatic(first + 10, shadow.rule).bind(first + 11, shadow.blocked ? 1 : 0).bind(first + 12, shadow.costMicro);
}

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
    for (const FeedbackRecord &f : batch.feedback)
        if (f.requestId.empty() || !(f.score >= 0.0 && f.score <= 1.0))
            return bad("feedback on request \"" + f.requestId + "\" needs a request id and a score from 0 to 1");
    return std::nullopt;
}

// The audit log's JSON of what changed ------------------------------------------------------------------

using ordered_json = nlohmann::ordered_json;

// An audit record for a change from `before` to `after`; nullopt when they are the same (nothing changed).
Result<std::optional<AuditRecord>> changed(const char *action, const std::string &object, std::string before,
                                           std::string after)
{
    if (before == after)
        return std::optional<AuditRecord>();
    return std::optional<AuditRecord>(AuditRecord{action, object, std::move(before), std::move(after)});
}

std::string budgetJson(const SpendBudget &b)
{
    return toJsonText(BudgetJson::write(b));
}

std::string mappingsJson(const std::vector<IdentityMapping> &mappings)
{
    ordered_json out = ordered_json::array();
    for (const IdentityMapping &m : mappings)
        out.push_back({{"field", identityFieldName(m.field)}, {"value", m.value}, {"team", m.team}, {"app", m.app}});
    return toJsonText(out);
}

// An imported catalog is large: the log keeps its digest and size.
std::string catalogJson(std::string_view catalog)
{
    return toJsonText(ordered_json{{"sha256", sha256Hex(catalog)}, {"bytes", catalog.size()}});
}

Result<std::optional<std::string>> storedCatalog(SqliteDatabase &db)
{
    Result<SqliteStatement> query = db.prepare("SELECT value FROM settings WHERE key = 'price_catalog'");
    if (!query)
        return query.error();
    Result<bool> row = query->step();
    if (!row)
        return row.error();
    return row.value() ? std::optional<std::string>(query->text(0)) : std::nullopt;
}

// The one row `sql` selects as a JSON object (SQLite's json_object, re-written in the log's form), "" for none.
Result<std::string> rowJson(SqliteDatabase &db, const char *sql, const std::string &key, std::int64_t fromMs)
{
    Result<SqliteStatement> query = db.prepare(sql);
    if (!query)
        return query.error();
    query->bind(1, key).bind(2, fromMs);
    Result<bool> row = query->step();
    if (!row)
        return row.error();
    if (!row.value())
        return std::string();
    const ordered_json parsed = ordered_json::parse(query->text(0), nullptr, false);
    return parsed.is_discarded() ? std::string() : toJsonText(parsed);
}

const SourceSettings *findSettings(const std::vector<SourceSettings> &all, const std::string &name)
{
    auto it = std::find_if(all.begin(), all.end(), [&](const SourceSettings &s) { return s.name == name; });
    return it == all.end() ? nullptr : &*it;
}

// Settings hold no secret (keys live in the keychain, or an environment variable named in the options), but the
// log is kept forever: a password in a URL or an option that looks like a credential is never written to it.
std::string sourceJson(const SourceSettings &s)
{
    std::string url = s.baseUrl;
    if (const std::size_t scheme = url.find("://"); scheme != std::string::npos) {
        const std::size_t hostEnd = url.find_first_of("/?#", scheme + 3);
        const std::size_t at = url.rfind('@', hostEnd == std::string::npos ? url.size() : hostEnd);
        if (at != std::string::npos && at > scheme)
            url.replace(scheme + 3, at - scheme - 3, "[redacted]");
    }
    ordered_json options = ordered_json::parse(s.options.empty() ? std::string("{}") : s.options, nullptr, false);
    if (options.is_object()) {
        for (auto &[key, value] : options.items()) {
            std::string lower;
            for (char c : key)
                lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            const bool secretName = lower == "key" || lower == "api_key" || lower == "apikey"
                                    || lower.find("secret") != std::string::npos
                                    || lower.find("password") != std::string::npos
                                    || lower.find("token") != std::string::npos || lower == "authorization";
            if (secretName)
                value = "[redacted]";
        }
    } else {
        options = s.options; // kept as the text it is
    }
    return toJsonText(ordered_json{{"name", s.name},
                                   {"kind", s.kind},
                                   {"base_url", url},
                                   {"interval_s", s.intervalS},
                                   {"paused", s.paused},
                                   {"options", options},
                                   {"in_spend", s.inSpend}});
}

// {"cursors": {"<part>": cursor or null}} of a source's stored parts ("<name>" and "<name> (<part>)").
Result<ordered_json> cursorsJson(SqliteDatabase &db, const std::string &name)
{
    Result<SqliteStatement> query = db.prepare("SELECT name, cursor FROM sources WHERE name = ?1 OR substr(name, 1, "
                                               "length(?1) + 2) = ?1 || ' (' ORDER BY name");
    if (!query)
        return query.error();
    query->bind(1, name);
    ordered_json cursors = ordered_json::object();
    if (Result<void> rowsRead = query->forEachRow(
            [&] { cursors[query->text(0)] = query->isNull(1) ? ordered_json(nullptr) : ordered_json(query->text(1)); });
        !rowsRead)
        return rowsRead.error();
    return ordered_json{{"cursors", cursors}};
}

} // namespace

Result<UsageStore> UsageStore::open(const std::string &path)
{
    return open(path, systemClock());
}

Result<UsageStore> UsageStore::open(const std::string &path, Clock clock)
{
    // SQLite takes "" for a private temporary database, which would take every write and keep none.
    if (path.empty())
        return Error{"store.no_path", "No store file given; name the store's file (for example routeledger.db)", false};
    UsageStore store;
    store.m_clock = clock ? std::move(clock) : systemClock();
    store.m_actor = currentOsUser();
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
        if (Result<void> set = store.m_db.execute(pragma); !set)
            return set.error();
    Result<std::string> migrated = StoreSchema::migrate(store.m_db);
    if (!migrated)
        return migrated.error();
    store.m_backup = migrated.value();
    if (Result<void> checked = store.m_db.execute("SELECT count(*) FROM sources"); !checked)
        return checked.error();

    Result<OrgCalendar> calendar = OrgCalendar::fromStore(store.m_db);
    if (!calendar)
        return calendar.error();
    store.m_calendar = calendar.value();
    if (Result<void> prepared = store.prepareStatements(); !prepared)
        return prepared.error();
    if (Result<void> loaded = StoreIdentities(store.m_db, store.m_ids, store.m_identities).load(); !loaded)
        return loaded.error();
    return store;
}

Result<void> UsageStore::prepareStatements()
{
    const std::string selectBucket = std::string("SELECT ") + RollupAccumulator::kStoredBucketColumns
                                     + " FROM usage_buckets WHERE source_id = ?1 AND start_ms = ?2 AND dimensions = ?3";
    if (Result<void> prepared = m_db.prepareAll({{&m_insertEvent, kInsertEvent},
                                                 {&m_selectBucket, selectBucket},
                                                 {&m_upsertBucket, kUpsertBucket},
                                                 {&m_setCursor, kSetCursor},
                                                 {&m_upsertCost, kUpsertCost},
                                                 {&m_upsertFeedback, kUpsertFeedback}});
        !prepared)
        return prepared;
    return m_rollups.prepare(m_db);
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
    if (Result<void> rowsRead = check->forEachRow([&] {
            if (std::string line = check->text(0); line != "ok")
                problems.push_back(std::move(line));
        });
        !rowsRead)
        return damaged(rowsRead.error().message);
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
    if (Result<void> begun = transaction.begin(); !begun)
        return begun.error();
    auto fail = [&](const Error &error) -> Result<IngestResult> {
        m_ids.forget(); // ids handed out inside the rolled-back transaction no longer exist
        return error;
    };
#define RL_TRY(var, expr)                                                                                              \
    auto var##Result = (expr);                                                                                         \
    if (!var##Result)                                                                                                  \
        return fail(var##Result.error());                                                                              \
    const auto var = var##Result.value();
#define RL_CHECK(expr)                                                                                                 \
    if (Result<void> checked = (expr); !checked)                                                                       \
    return fail(checked.error())

    RL_TRY(source, m_ids.source(m_db, batch.source, batch.sourceKind));
    m_rollups.start(source);

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
        RL_TRY(tier, m_ids.tier(m_db, e.tier, e.tierRank));
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
        bindFeatures(s, 31, e);
        RL_CHECK(s.run());
        if (m_db.changes() == 0) {
            ++result.duplicates;
            continue;
        }
        ++result.inserted;
        m_rollups.addEvent({day, team, user, app, model, tier, rule}, e);
    }

    // A revised bucket replaces the old one; the rollups move by the difference.
    std::vector<std::string> bucketKeys;
    bucketKeys.reserve(batch.buckets.size());
    for (const UsageBucket &b : batch.buckets)
        bucketKeys.push_back(bucketDimensions(b));
    if (batch.replaceBuckets) {
        RL_CHECK(removeReplacedBuckets(batch, source, bucketKeys, result));
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
            m_rollups.subtractStoredBucket(m_selectBucket, 0);
        m_selectBucket.reset();
        SqliteStatement &s = m_upsertBucket;
        s.bind(1, source).bind(2, b.startMs).bind(3, b.endMs).bind(4, dimensions).bind(5, day).bind(6, team);
        s.bind(7, app).bind(8, model).bind(9, b.provider).bind(10, b.project).bind(11, b.apiKey).bind(12, b.requests);
        s.bind(13, b.tokens.input)
            .bind(14, b.tokens.cachedInput)
            .bind(15, b.tokens.cacheWrite)
            .bind(16, b.tokens.output);
        s.bind(17, b.tokens.reasoning).bind(18, b.costMicro).bind(19, b.reportedCostMicro).bind(20, b.unpriced ? 1 : 0);
        RL_CHECK(s.run());
        ++result.bucketsUpserted;
        m_rollups.addBucket({day, team, app, model}, b);
    }

    for (const CostLine &c : batch.costs) {
        if (mapped)
            identity = m_identities.resolve({c.team, c.app, c.project, c.apiKey, nullptr});
        RL_TRY(team, dimension("teams", mapped ? identity.team : c.team));
        RL_TRY(app, dimension("apps", mapped ? identity.app : c.app));
        RL_TRY(model, dimension("models", c.model));
        const std::string dimensions = costLineDimensions(c);
        SqliteStatement &s = m_upsertCost;
        s.bind(1, source).bind(2, c.startMs).bind(3, c.endMs).bind(4, dimensions).bind(5, m_calendar.dayOf(c.startMs));
        s.bind(6, team).bind(7, app).bind(8, model).bind(9, c.provider).bind(10, c.project).bind(11, c.apiKey);
        s.bind(12, c.lineItem).bind(13, c.amountMicro);
        RL_CHECK(s.run());
        ++result.costLinesUpserted;
    }
    for (const FeedbackRecord &f : batch.feedback) {
        SqliteStatement &s = m_upsertFeedback;
        s.bind(1, source).bindStatic(2, f.requestId).bind(3, f.timeMs).bind(4, f.score);
        if (f.thumbsUp)
            s.bind(5, *f.thumbsUp ? 1 : 0);
        else
            s.bindNull(5);
        s.bindStatic(6, f.comment);
        RL_CHECK(s.run());
        ++result.feedbackUpserted;
    }

    RL_CHECK(m_rollups.write());
    if (batch.cursor) {
        m_setCursor.bind(1, source).bind(2, *batch.cursor).bind(3, readClock(m_clock));
        RL_CHECK(m_setCursor.run());
    }
    RL_CHECK(transaction.commit());
#undef RL_TRY
#undef RL_CHECK
    return result;
}

Result<void> UsageStore::removeReplacedBuckets(const IngestBatch &batch, std::int64_t source,
                                               const std::vector<std::string> &bucketKeys, IngestResult &result)
{
    std::set<std::pair<std::int64_t, std::string_view>> kept;
    for (std::size_t i = 0; i < batch.buckets.size(); ++i)
        kept.emplace(batch.buckets[i].startMs, bucketKeys[i]);
    Result<SqliteStatement> storedRows =
        m_db.prepare(std::string("SELECT start_ms, dimensions, ") + RollupAccumulator::kStoredBucketColumns
                     + " FROM usage_buckets WHERE source_id = ?1 AND start_ms >= ?2 AND start_ms < ?3");
    if (!storedRows)
        return storedRows.error();
    Result<SqliteStatement> removeRow =
        m_db.prepare("DELETE FROM usage_buckets WHERE source_id = ?1 AND start_ms = ?2 AND dimensions = ?3");
    if (!removeRow)
        return removeRow.error();
    SqliteStatement rows = std::move(storedRows).value();
    SqliteStatement removal = std::move(removeRow).value();
    rows.bind(1, source).bind(2, batch.replaceBuckets->fromMs).bind(3, batch.replaceBuckets->toMs);
    std::vector<std::pair<std::int64_t, std::string>> gone; // deleted after the scan, not under it
    if (Result<void> rowsRead = rows.forEachRow([&] {
            std::string dimensions = rows.text(1);
            if (kept.count({rows.int64(0), dimensions}))
                return;
            m_rollups.subtractStoredBucket(rows, 2);
            gone.emplace_back(rows.int64(0), std::move(dimensions));
        });
        !rowsRead)
        return rowsRead.error();
    rows.reset();
    for (const auto &[startMs, dimensions] : gone) {
        removal.bind(1, source).bind(2, startMs).bind(3, dimensions);
        if (Result<void> removed = removal.run(); !removed)
            return removed;
        ++result.bucketsRemoved;
    }
    return {};
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

Result<void> UsageStore::setTimeZone(const std::string &ianaName)
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
    if (Result<void> begun = transaction.begin(); !begun)
        return begun;
    if (Result<void> saved = save->run(); !saved)
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
                if (Result<void> updated = update->run(); !updated)
                    return updated.error();
                return {};
            });
            !rowsRead)
            return rowsRead.error();
    }
    calendar->setWeekStart(m_calendar.weekStart());
    calendar->setFiscalYearStartMonth(m_calendar.fiscalYearStartMonth());
    m_calendar = calendar.value();
    if (Result<void> rebuilt = rebuildRollups(); !rebuilt)
        return rebuilt;
    return transaction.commit();
}

Result<void> UsageStore::rebuildRollups()
{
    return RollupAccumulator::rebuild(m_db);
}

Result<void> UsageStore::audited(const std::function<Result<std::optional<AuditRecord>>()> &change)
{
    SqliteTransaction transaction(m_db);
    if (Result<void> begun = transaction.begin(); !begun)
        return begun;
    auto fail = [&](const Error &error) -> Result<void> {
        m_ids.forget(); // ids handed out inside the rolled-back transaction no longer exist
        return error;
    };
    Result<std::optional<AuditRecord>> record = change();
    if (!record)
        return fail(record.error());
    if (record.value())
        if (Result<AuditEntry> appended = AuditLog(m_db).append(*record.value(), m_actor, readClock(m_clock));
            !appended)
            return fail(appended.error());
    if (Result<void> committed = transaction.commit(); !committed)
        return fail(committed.error());
    return {};
}

void UsageStore::setActor(std::string actor)
{
    m_actor = actor.empty() ? currentOsUser() : std::move(actor);
}

void UsageStore::setClock(Clock clock)
{
    m_clock = clock ? std::move(clock) : systemClock();
}

Result<void> UsageStore::importPriceCatalog(std::string_view json)
{
    return audited([&]() -> Result<std::optional<AuditRecord>> {
        Result<std::optional<std::string>> previous = storedCatalog(m_db);
        if (!previous)
            return previous.error();
        if (Result<void> imported = StorePrices(m_db).importCatalog(json); !imported)
            return imported.error();
        std::string before = previous.value() ? catalogJson(*previous.value()) : std::string();
        std::string after = catalogJson(json);
        if (before == after)
            return std::optional<AuditRecord>();
        return std::optional<AuditRecord>(AuditRecord{"price.import", "price catalog", before, after});
    });
}
Result<void> UsageStore::addPriceOverride(const PriceOverride &o)
{
    return audited([&]() -> Result<std::optional<AuditRecord>> {
        Result<std::string> before = rowJson(
            m_db,
            "SELECT json_object('model', model, 'effective_from_ms', effective_from_ms, 'input_pico', input_pico, "
            "'cached_input_pico', cached_input_pico, 'cache_write_pico', cache_write_pico, 'output_pico', output_pico, "
            "'reasoning_pico', reasoning_pico) FROM price_overrides WHERE model = ?1 AND effective_from_ms = ?2",
            o.model, o.effectiveFromMs);
        if (!before)
            return before.error();
        if (Result<void> added = StorePrices(m_db).addOverride(o); !added)
            return added.error();
        const TokenPrices &p = o.prices;
        const std::string after = toJsonText(ordered_json{{"model", o.model},
                                                          {"effective_from_ms", o.effectiveFromMs},
                                                          {"input_pico", p.input},
                                                          {"cached_input_pico", p.cachedInput},
                                                          {"cache_write_pico", p.cacheWrite},
                                                          {"output_pico", p.output},
                                                          {"reasoning_pico", p.reasoning}});
        return changed("price.override", o.model, before.value(), after);
    });
}
Result<void> UsageStore::addProviderDiscount(const ProviderDiscount &d)
{
    return audited([&]() -> Result<std::optional<AuditRecord>> {
        Result<std::string> before = rowJson(m_db,
                                             "SELECT json_object('provider', provider, 'effective_from_ms', "
                                             "effective_from_ms, 'basis_points', basis_points) FROM provider_discounts "
                                             "WHERE provider = ?1 AND effective_from_ms = ?2",
                                             d.provider, d.effectiveFromMs);
        if (!before)
            return before.error();
        if (Result<void> added = StorePrices(m_db).addDiscount(d); !added)
            return added.error();
        const std::string after = toJsonText(ordered_json{
            {"provider", d.provider}, {"effective_from_ms", d.effectiveFromMs}, {"basis_points", d.basisPoints}});
        return changed("price.discount", d.provider, before.value(), after);
    });
}
Result<Pricing> UsageStore::pricing()
{
    return StorePrices(m_db).load();
}

Result<SpendBudget> UsageStore::saveBudget(const SpendBudget &budget)
{
    SpendBudget saved;
    Result<void> done = audited([&]() -> Result<std::optional<AuditRecord>> {
        Result<std::vector<SpendBudget>> all = StoreBudgets(m_db).all();
        if (!all)
            return all.error();
        Result<SpendBudget> stored = StoreBudgets(m_db).save(budget, readClock(m_clock));
        if (!stored)
            return stored.error();
        saved = stored.value();
        auto previous = std::find_if(all->begin(), all->end(), [&](const SpendBudget &b) { return b.id == saved.id; });
        return changed("budget.set", saved.label(), previous == all->end() ? std::string() : budgetJson(*previous),
                       budgetJson(saved));
    });
    if (!done)
        return done.error();
    return saved;
}

Result<SpendBudget> UsageStore::removeBudget(std::int64_t id)
{
    SpendBudget removed;
    Result<void> done = audited([&]() -> Result<std::optional<AuditRecord>> {
        Result<SpendBudget> gone = StoreBudgets(m_db).remove(id);
        if (!gone)
            return gone.error();
        removed = gone.value();
        return changed("budget.remove", removed.label(), budgetJson(removed), std::string());
    });
    if (!done)
        return done.error();
    return removed;
}

Result<std::vector<SpendBudget>> UsageStore::budgets()
{
    return StoreBudgets(m_db).all();
}

Result<void> UsageStore::setCalendarRules(int weekStart, int fiscalYearStartMonth)
{
    if (weekStart < 1 || weekStart > 7 || fiscalYearStartMonth < 1 || fiscalYearStartMonth > 12)
        return Error{"settings.invalid",
                     "the first weekday is 1 (Monday) to 7 (Sunday) and the fiscal year starts in month 1 to 12",
                     false};
    const auto rulesJson = [](int week, int fiscal) {
        return toJsonText(ordered_json{{"week_start", OrgCalendar::weekdayName(week)}, {"fiscal_year_start", fiscal}});
    };
    const std::string before = rulesJson(m_calendar.weekStart(), m_calendar.fiscalYearStartMonth());
    Result<void> done = audited([&]() -> Result<std::optional<AuditRecord>> {
        Result<SqliteStatement> save =
            m_db.prepare("INSERT INTO settings VALUES (?1, ?2) ON CONFLICT DO UPDATE SET value = excluded.value");
        if (!save)
            return save.error();
        const std::pair<const char *, std::string> values[] = {
            {"week_start", OrgCalendar::weekdayName(weekStart)},
            {"fiscal_year_start", std::to_string(fiscalYearStartMonth)}};
        for (const auto &[key, value] : values) {
            save->bind(1, std::string_view(key)).bind(2, value);
            if (Result<void> saved = save->run(); !saved)
                return saved.error();
        }
        return changed("settings.calendar", "calendar", before, rulesJson(weekStart, fiscalYearStartMonth));
    });
    if (!done)
        return done;
    m_calendar.setWeekStart(weekStart);
    m_calendar.setFiscalYearStartMonth(fiscalYearStartMonth);
    return {};
}

Result<void> UsageStore::setIdentityMappings(const std::vector<IdentityMapping> &mappings)
{
    const std::string before = mappingsJson(m_identities.mappings());
    Result<void> done = audited([&]() -> Result<std::optional<AuditRecord>> {
        if (Result<void> replaced = StoreIdentities(m_db, m_ids, m_identities).replace(mappings); !replaced)
            return replaced.error();
        return changed("identity.mappings", "identity mappings", before, mappingsJson(mappings));
    });
    if (!done) // the map may hold what was rolled back: read it again from the file
        StoreIdentities(m_db, m_ids, m_identities).load();
    return done;
}

Result<std::vector<SourceSettings>> UsageStore::sourceSettings()
{
    return StoreSources(m_db, m_clock).settings();
}
Result<void> UsageStore::saveSourceSettings(const SourceSettings &settings)
{
    return audited([&]() -> Result<std::optional<AuditRecord>> {
        StoreSources sources(m_db, m_clock);
        Result<std::vector<SourceSettings>> previous = sources.settings();
        if (!previous)
            return previous.error();
        if (Result<void> saved = sources.save(settings); !saved)
            return saved.error();
        Result<std::vector<SourceSettings>> now = sources.settings();
        if (!now)
            return now.error();
        const SourceSettings *before = findSettings(previous.value(), settings.name);
        const SourceSettings *after = findSettings(now.value(), settings.name);
        return changed(before ? "source.change" : "source.add", settings.name,
                       before ? sourceJson(*before) : std::string(), after ? sourceJson(*after) : std::string());
    });
}
Result<void> UsageStore::removeSourceSettings(const std::string &name)
{
    return audited([&]() -> Result<std::optional<AuditRecord>> {
        StoreSources sources(m_db, m_clock);
        Result<std::vector<SourceSettings>> previous = sources.settings();
        if (!previous)
            return previous.error();
        if (Result<void> removed = sources.remove(name); !removed)
            return removed.error();
        const SourceSettings *before = findSettings(previous.value(), name);
        return changed("source.remove", name, before ? sourceJson(*before) : std::string(), std::string());
    });
}
Result<std::vector<SourceTotals>> UsageStore::sourceTotals()
{
    return StoreSources(m_db, m_clock).totals();
}
Result<void> UsageStore::renameSource(const std::string &from, const std::string &to)
{
    m_ids.forget(); // source ids are cached by name
    return audited([&]() -> Result<std::optional<AuditRecord>> {
        if (Result<void> renamed = StoreSources(m_db, m_clock).rename(from, to); !renamed)
            return renamed.error();
        return changed("source.rename", to, toJsonText(ordered_json{{"name", from}}),
                       toJsonText(ordered_json{{"name", to}}));
    });
}
Result<void> UsageStore::resetCursors(const std::string &name)
{
    return audited([&]() -> Result<std::optional<AuditRecord>> {
        Result<ordered_json> before = cursorsJson(m_db, name);
        if (!before)
            return before.error();
        if (Result<void> reset = StoreSources(m_db, m_clock).resetCursors(name); !reset)
            return reset.error();
        Result<ordered_json> after = cursorsJson(m_db, name);
        if (!after)
            return after.error();
        return changed("source.reset_cursor", name, toJsonText(before.value()), toJsonText(after.value()));
    });
}

Result<std::vector<PolicyDraftRecord>> UsageStore::policyDrafts()
{
    return StorePolicies(m_db).drafts();
}
Result<void> UsageStore::savePolicyDraft(const PolicyDraftRecord &draft)
{
    PolicyDraftRecord dated = draft;
    if (dated.updatedMs == 0)
        dated.updatedMs = readClock(m_clock);
    if (dated.updatedBy.empty())
        dated.updatedBy = m_actor;
    return audited([&] { return StorePolicies(m_db).saveDraft(dated); });
}
Result<void> UsageStore::deletePolicyDraft(const std::string &name)
{
    return audited([&]() -> Result<std::optional<AuditRecord>> {
        Result<AuditRecord> deleted = StorePolicies(m_db).deleteDraft(name);
        if (!deleted)
            return deleted.error();
        return std::optional<AuditRecord>(std::move(deleted).value());
    });
}
Result<std::vector<PolicyVersionRecord>> UsageStore::policyVersions()
{
    return StorePolicies(m_db).versions();
}
Result<PolicyVersionRecord> UsageStore::publishPolicy(const std::string &document, const std::string &note,
                                                      std::optional<std::int64_t> rollbackOf,
                                                      std::optional<std::int64_t> atLeastVersion)
{
    PolicyVersionRecord published;
    Result<void> done = audited([&]() -> Result<std::optional<AuditRecord>> {
        auto result =
            StorePolicies(m_db).publish(document, note, rollbackOf, m_actor, readClock(m_clock), atLeastVersion);
        if (!result)
            return result.error();
        published = std::move(result.value().first);
        return std::optional<AuditRecord>(std::move(result.value().second));
    });
    if (!done)
        return done.error();
    return published;
}
Result<void> UsageStore::recordPolicyPush(const RouterDeploymentRecord &result, const std::string &details)
{
    RouterDeploymentRecord dated = result;
    if (dated.atMs == 0)
        dated.atMs = readClock(m_clock);
    return audited([&]() -> Result<std::optional<AuditRecord>> {
        Result<AuditRecord> recorded = StorePolicies(m_db).recordPush(dated, details);
        if (!recorded)
            return recorded.error();
        return std::optional<AuditRecord>(std::move(recorded).value());
    });
}
Result<std::vector<RouterDeploymentRecord>> UsageStore::routerDeployments()
{
    return StorePolicies(m_db).deployments();
}

Result<void> UsageStore::appendAudit(const AuditRecord &record)
{
    return audited([&] { return Result<std::optional<AuditRecord>>(std::optional<AuditRecord>(record)); });
}
Result<std::vector<AuditEntry>> UsageStore::auditEntries(const AuditFilter &filter)
{
    return AuditLog(m_db).entries(filter);
}
Result<AuditVerification> UsageStore::verifyAudit()
{
    return AuditLog(m_db).verify();
}

} // namespace rl

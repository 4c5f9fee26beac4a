#include "store/storeschema.h"

#include <algorithm>
#include <filesystem>

namespace rl {

namespace {

// Version 1: sources, dimensions, events, buckets, daily rollups, budgets, settings.
constexpr std::string_view kVersion1 = R"SQL(
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, cursor TEXT,
  created_ms INTEGER NOT NULL, last_ingest_ms INTEGER);
-- Dimensions; id 0 is "unassigned" (or "none") in each.
CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE apps (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE models (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE rules (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE tiers (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, rank INTEGER NOT NULL DEFAULT -1);
INSERT INTO teams VALUES (0, ''); INSERT INTO apps VALUES (0, ''); INSERT INTO users VALUES (0, '');
INSERT INTO models VALUES (0, ''); INSERT INTO rules VALUES (0, ''); INSERT INTO tiers VALUES (0, '', -1);

CREATE TABLE usage_events (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id),
  request_id TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  day INTEGER NOT NULL,
  team_id INTEGER NOT NULL, user_id INTEGER NOT NULL, app_id INTEGER NOT NULL,
  tags TEXT NOT NULL DEFAULT '',
  requested_model TEXT NOT NULL DEFAULT '',
  model_id INTEGER NOT NULL, provider TEXT NOT NULL DEFAULT '',
  tier_id INTEGER NOT NULL, rule_id INTEGER NOT NULL, policy_version INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
  cost_micro INTEGER NOT NULL, reported_cost_micro INTEGER, frontier_cost_micro INTEGER NOT NULL,
  unpriced INTEGER NOT NULL, latency_ms INTEGER NOT NULL, status INTEGER NOT NULL,
  complexity REAL, task TEXT NOT NULL DEFAULT '');
CREATE UNIQUE INDEX usage_events_dedupe ON usage_events (source_id, request_id);

CREATE TABLE usage_buckets (
  source_id INTEGER NOT NULL REFERENCES sources(id),
  start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, dimensions TEXT NOT NULL,
  day INTEGER NOT NULL, team_id INTEGER NOT NULL, app_id INTEGER NOT NULL, model_id INTEGER NOT NULL,
  provider TEXT NOT NULL, project TEXT NOT NULL, api_key TEXT NOT NULL,
  requests INTEGER NOT NULL, input_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
  cost_micro INTEGER NOT NULL, reported_cost_micro INTEGER, unpriced INTEGER NOT NULL,
  PRIMARY KEY (source_id, start_ms, dimensions)) WITHOUT ROWID;

-- Kept in the same transaction as every ingest, so no page scans raw events.
CREATE TABLE daily_rollups (
  day INTEGER NOT NULL, source_id INTEGER NOT NULL, team_id INTEGER NOT NULL, app_id INTEGER NOT NULL,
  model_id INTEGER NOT NULL, tier_id INTEGER NOT NULL, rule_id INTEGER NOT NULL,
  requests INTEGER NOT NULL, errors INTEGER NOT NULL, blocked INTEGER NOT NULL, fallbacks INTEGER NOT NULL,
  unpriced INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
  cost_micro INTEGER NOT NULL, reported_cost_micro INTEGER NOT NULL, frontier_cost_micro INTEGER NOT NULL,
  latency_ms_sum INTEGER NOT NULL,
  PRIMARY KEY (day, source_id, team_id, app_id, model_id, tier_id, rule_id)) WITHOUT ROWID;

CREATE TABLE policy_versions (
  source_id INTEGER NOT NULL, version INTEGER NOT NULL, first_seen_ms INTEGER NOT NULL,
  PRIMARY KEY (source_id, version)) WITHOUT ROWID;

CREATE TABLE budgets (
  team_id INTEGER PRIMARY KEY REFERENCES teams(id), period TEXT NOT NULL, limit_micro INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL);
)SQL";

// Version 2: latency histograms per day and model, for p50/p95 on the Routing page. Buckets keep two
// significant digits of the latency in ms (LatencyBuckets), which SQL can compute for the backfill.
constexpr std::string_view kVersion2 = R"SQL(
CREATE TABLE latency_rollups (
  day INTEGER NOT NULL, model_id INTEGER NOT NULL, bucket INTEGER NOT NULL, requests INTEGER NOT NULL,
  PRIMARY KEY (day, model_id, bucket)) WITHOUT ROWID;
INSERT INTO latency_rollups
SELECT day, model_id,
       CASE WHEN latency_ms < 10 THEN max(latency_ms, 0)
            ELSE length(CAST(latency_ms AS TEXT)) * 100 + CAST(substr(CAST(latency_ms AS TEXT), 1, 2) AS INTEGER) END,
       count(*)
FROM usage_events WHERE status != 2 GROUP BY 1, 2, 3;
-- Spend per user, for the Teams page's drill-down (users are not in daily_rollups: too many rows).
CREATE TABLE user_rollups (
  day INTEGER NOT NULL, team_id INTEGER NOT NULL, user_id INTEGER NOT NULL,
  requests INTEGER NOT NULL, cost_micro INTEGER NOT NULL,
  PRIMARY KEY (day, team_id, user_id)) WITHOUT ROWID;
INSERT INTO user_rollups SELECT day, team_id, user_id, count(*), sum(cost_micro) FROM usage_events GROUP BY 1, 2, 3;
-- Prices the organisation negotiated or corrected, each from a date on (pico-USD per token).
CREATE TABLE price_overrides (
  model TEXT NOT NULL, effective_from_ms INTEGER NOT NULL, input_pico INTEGER NOT NULL,
  cached_input_pico INTEGER NOT NULL, cache_write_pico INTEGER NOT NULL, output_pico INTEGER NOT NULL,
  reasoning_pico INTEGER NOT NULL, PRIMARY KEY (model, effective_from_ms)) WITHOUT ROWID;
CREATE TABLE provider_discounts (
  provider TEXT NOT NULL, effective_from_ms INTEGER NOT NULL, basis_points INTEGER NOT NULL,
  PRIMARY KEY (provider, effective_from_ms)) WITHOUT ROWID;
)SQL";

// Version 3: providers' own cost reports (kept apart from usage so spend is never counted twice), the
// admin's identity mappings, the records' own team and app where a mapping changed them (so a mapping
// can be changed later and re-applied), and the configured sources (no secrets: those live in the OS keychain).
constexpr std::string_view kVersion3 = R"SQL(
CREATE TABLE cost_lines (
  source_id INTEGER NOT NULL REFERENCES sources(id),
  start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, dimensions TEXT NOT NULL,
  day INTEGER NOT NULL, team_id INTEGER NOT NULL, app_id INTEGER NOT NULL, model_id INTEGER NOT NULL,
  provider TEXT NOT NULL, project TEXT NOT NULL, api_key TEXT NOT NULL, line_item TEXT NOT NULL,
  amount_micro INTEGER NOT NULL,
  PRIMARY KEY (source_id, start_ms, dimensions)) WITHOUT ROWID;
CREATE INDEX cost_lines_day ON cost_lines (day);
CREATE TABLE identity_mappings (
  field TEXT NOT NULL, value TEXT NOT NULL, team TEXT NOT NULL, app TEXT NOT NULL,
  PRIMARY KEY (field, value)) WITHOUT ROWID;
-- The team and app the source named, where a mapping changed them (NULL: the same as team_id, app_id).
ALTER TABLE usage_events ADD COLUMN source_team_id INTEGER;
ALTER TABLE usage_events ADD COLUMN source_app_id INTEGER;
CREATE TABLE source_settings (
  name TEXT PRIMARY KEY, kind TEXT NOT NULL, base_url TEXT NOT NULL, interval_s INTEGER NOT NULL,
  paused INTEGER NOT NULL, options TEXT NOT NULL, created_ms INTEGER NOT NULL, in_spend INTEGER NOT NULL)
  WITHOUT ROWID;
-- 0: the source's usage is left out of spend (another source already reports the same traffic).
ALTER TABLE sources ADD COLUMN in_spend INTEGER NOT NULL DEFAULT 1;
)SQL";

// Version 4: requests whose answer carried no usable token counts (a router's upstream that sent no
// `usage`) are marked, per event and in the rollups, instead of passing for free requests.
constexpr std::string_view kVersion4 = R"SQL(
ALTER TABLE usage_events ADD COLUMN unmetered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE daily_rollups ADD COLUMN unmetered INTEGER NOT NULL DEFAULT 0;
)SQL";

// Version 5: a bill's line may come without an amount (OpenAI Costs results need only `object`): such a
// line is "no cost reported", NULL, not $0. SQLite cannot drop a NOT NULL, so the table is rebuilt.
constexpr std::string_view kVersion5 = R"SQL(
CREATE TABLE cost_lines_v5 (
  source_id INTEGER NOT NULL REFERENCES sources(id),
  start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, dimensions TEXT NOT NULL,
  day INTEGER NOT NULL, team_id INTEGER NOT NULL, app_id INTEGER NOT NULL, model_id INTEGER NOT NULL,
  provider TEXT NOT NULL, project TEXT NOT NULL, api_key TEXT NOT NULL, line_item TEXT NOT NULL,
  amount_micro INTEGER,
  PRIMARY KEY (source_id, start_ms, dimensions)) WITHOUT ROWID;
INSERT INTO cost_lines_v5 SELECT * FROM cost_lines;
DROP TABLE cost_lines;
ALTER TABLE cost_lines_v5 RENAME TO cost_lines;
CREATE INDEX cost_lines_day ON cost_lines (day);
)SQL";

// Version 6: the events of a few days found without reading every event, for the charts drawn by hour
// (a period of a day or two), which the daily rollups cannot answer.
constexpr std::string_view kVersion6 = R"SQL(
CREATE INDEX usage_events_day ON usage_events (day);
)SQL";

// Version 7: the policy studio's drafts (named, possibly invalid JSON) and published versions (canonical
// documents, numbered 1, 2, … without gaps; a rollback is a new version), what each push left on each router,
// and the audit log: append-only, each entry carrying the SHA-256 of the one before (AuditLog). The triggers
// stop the store itself from ever changing an entry; what is done to the file from outside, the hashes show.
constexpr std::string_view kVersion7 = R"SQL(
CREATE TABLE policy_drafts (
  name TEXT PRIMARY KEY, document TEXT NOT NULL, updated_ms INTEGER NOT NULL, updated_by TEXT NOT NULL,
  base_version INTEGER) WITHOUT ROWID;
CREATE TABLE published_policies (
  version INTEGER PRIMARY KEY, document TEXT NOT NULL, published_ms INTEGER NOT NULL, published_by TEXT NOT NULL,
  note TEXT NOT NULL, rollback_of INTEGER);
CREATE TABLE router_deployments (
  id INTEGER PRIMARY KEY, router TEXT NOT NULL, url TEXT NOT NULL, version INTEGER NOT NULL, etag TEXT NOT NULL,
  at_ms INTEGER NOT NULL, outcome TEXT NOT NULL);
CREATE INDEX router_deployments_router ON router_deployments (router, id);
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  object TEXT NOT NULL, "before" TEXT NOT NULL, "after" TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: an entry is never changed'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: an entry is never deleted'); END;
)SQL";

// Version 8: what a routing decision looked at, per event, so history can be replayed under a draft policy
// (core/simulate): the request features besides those already kept (NULL: the source did not record it), the
// prompt conditions evaluated on the prompt (PromptChecks; the prompt itself is never stored), the model the
// decision chose when a fallback served another, what a shadow policy would have done (DESIGN.md §3.4), and the
// quality signals: clients' feedback and escalations (a request asked again at a higher tier).
constexpr std::string_view kVersion8 = R"SQL(
ALTER TABLE usage_events ADD COLUMN has_tools INTEGER;
ALTER TABLE usage_events ADD COLUMN has_images INTEGER;
ALTER TABLE usage_events ADD COLUMN stream INTEGER;
ALTER TABLE usage_events ADD COLUMN routed_input_tokens INTEGER;
ALTER TABLE usage_events ADD COLUMN budget_used REAL;
ALTER TABLE usage_events ADD COLUMN prompt_checks TEXT;
ALTER TABLE usage_events ADD COLUMN routed_model TEXT;
ALTER TABLE usage_events ADD COLUMN shadow_policy_version INTEGER;
ALTER TABLE usage_events ADD COLUMN shadow_tier TEXT;
ALTER TABLE usage_events ADD COLUMN shadow_model TEXT;
ALTER TABLE usage_events ADD COLUMN shadow_rule TEXT;
ALTER TABLE usage_events ADD COLUMN shadow_blocked INTEGER;
ALTER TABLE usage_events ADD COLUMN shadow_cost_micro INTEGER;
-- The earlier request this one asks again at a higher tier (the router's escalation detection).
ALTER TABLE usage_events ADD COLUMN escalation_of TEXT;
-- What clients said of answers (a router's POST /v1/feedback), one per request.
CREATE TABLE feedback (
  source_id INTEGER NOT NULL REFERENCES sources(id), request_id TEXT NOT NULL, time_ms INTEGER NOT NULL,
  score REAL NOT NULL, thumbs_up INTEGER, comment TEXT NOT NULL,
  PRIMARY KEY (source_id, request_id)) WITHOUT ROWID;
)SQL";

// Version 9: budgets of any scope (issue 15): the organisation, a team, app, user or tag, or each user of the
// organisation or a team; any period including a rolling window of N days; soft thresholds, the hard action
// the routers enforce, and rollover. The team budgets of before keep their period and amount, with the default
// thresholds and "notify". And spend per tag and day, which tag budgets read (the events' tags, split).
constexpr std::string_view kVersion9 = R"SQL(
CREATE TABLE budgets_v9 (
  id INTEGER PRIMARY KEY, scope TEXT NOT NULL, each_user INTEGER NOT NULL, period TEXT NOT NULL,
  limit_micro INTEGER NOT NULL, thresholds TEXT NOT NULL, enforcement TEXT NOT NULL, rollover INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL, UNIQUE (scope, each_user, period));
INSERT INTO budgets_v9 (scope, each_user, period, limit_micro, thresholds, enforcement, rollover, updated_ms)
  SELECT 'team:' || t.name, 0, b.period, b.limit_micro, '50,80,100', 'notify', 0, b.updated_ms
  FROM budgets b JOIN teams t ON t.id = b.team_id ORDER BY t.name;
DROP TABLE budgets;
ALTER TABLE budgets_v9 RENAME TO budgets;
CREATE TABLE tag_rollups (
  day INTEGER NOT NULL, source_id INTEGER NOT NULL, tag TEXT NOT NULL, requests INTEGER NOT NULL,
  cost_micro INTEGER NOT NULL,
  PRIMARY KEY (day, source_id, tag)) WITHOUT ROWID;
INSERT INTO tag_rollups
WITH RECURSIVE split(day, source_id, cost, rest, tag) AS (
  SELECT day, source_id, cost_micro, tags || ',', '' FROM usage_events WHERE tags != ''
  UNION ALL
  SELECT day, source_id, cost, substr(rest, instr(rest, ',') + 1), substr(rest, 1, instr(rest, ',') - 1)
  FROM split WHERE rest != '')
SELECT day, source_id, tag, count(*), sum(cost) FROM split WHERE tag != '' GROUP BY 1, 2, 3;
)SQL";

} // namespace

const std::vector<std::string_view> &StoreSchema::migrations()
{
    static const std::vector<std::string_view> steps = {kVersion1, kVersion2, kVersion3, kVersion4, kVersion5,
                                                        kVersion6, kVersion7, kVersion8, kVersion9};
    return steps;
}

int StoreSchema::latestVersion()
{
    return static_cast<int>(migrations().size());
}

Result<int> StoreSchema::version(SqliteDatabase &database)
{
    Result<SqliteStatement> query = database.prepare("PRAGMA user_version");
    if (!query)
        return query.error();
    Result<bool> row = query->step();
    if (!row)
        return row.error();
    return static_cast<int>(query->int64(0));
}

Result<void> StoreSchema::recognise(SqliteDatabase &database)
{
    Result<SqliteStatement> id = database.prepare("PRAGMA application_id");
    if (!id)
        return id.error();
    if (Result<bool> row = id->step(); !row)
        return row.error();
    const std::int64_t applicationId = id->int64(0);
    if (applicationId == kApplicationId)
        return {};
    auto notOurs = [&](const std::string &why) {
        return Error{"store.not_ours",
                     database.path() + " is not a RouteLedger store (" + why
                         + "); it was left as it is. Choose the store's own file, or a new file name",
                     false};
    };
    if (applicationId != 0)
        return notOurs("another program's SQLite file, application id " + std::to_string(applicationId));
    // Stores made before the application id was set are recognised by their schema version and tables.
    Result<SqliteStatement> tables = database.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
    if (!tables)
        return tables.error();
    std::vector<std::string> names;
    if (Result<void> rowsRead = tables->forEachRow([&] { names.push_back(tables->text(0)); }); !rowsRead)
        return rowsRead.error();
    Result<int> current = version(database);
    if (!current)
        return current.error();
    const bool hasOurTables = std::find(names.begin(), names.end(), "usage_events") != names.end()
                              && std::find(names.begin(), names.end(), "sources") != names.end();
    if (current.value() == 0 && names.empty())
        return {}; // a new, empty file: it becomes a store
    if (current.value() > 0 && hasOurTables)
        return {};
    std::string listed;
    for (std::size_t i = 0; i < names.size() && i < 5; ++i)
        listed += (i ? ", " : "") + names[i];
    if (names.size() > 5)
        listed += ", …";
    return notOurs(names.empty()
                       ? "an SQLite file with schema version " + std::to_string(current.value()) + " and no tables"
                       : "an SQLite file with other tables: " + listed);
}

Result<void> StoreSchema::requireLatest(SqliteDatabase &database)
{
    Result<int> current = version(database);
    if (!current)
        return current.error();
    if (current.value() == latestVersion())
        return {};
    return Error{"store.version",
                 database.path() + ": the store has schema version " + std::to_string(current.value())
                     + ", this RouteLedger reads " + std::to_string(latestVersion())
                     + "; open it for writing once (the app, or any store command) to upgrade it",
                 false};
}

Result<std::string> StoreSchema::migrate(SqliteDatabase &database, int target)
{
    if (target < 0)
        target = latestVersion();
    Result<int> current = version(database);
    if (!current)
        return current.error();
    if (current.value() > latestVersion())
        return Error{"store.too_new",
                     database.path() + ": this store was written by a newer RouteLedger (schema version "
                         + std::to_string(current.value()) + "; this version reads up to "
                         + std::to_string(latestVersion())
                         + "); open it with a newer RouteLedger, or open another store",
                     false};
    if (current.value() >= target)
        return std::string();

    // Copy a store that has data before touching its schema, so a failed upgrade loses nothing.
    std::string backup;
    if (current.value() > 0) {
        backup = database.path() + ".backup-v" + std::to_string(current.value());
        std::error_code ignored;
        std::filesystem::remove(backup, ignored);
        std::string quoted;
        for (char c : backup)
            quoted += c == '\'' ? std::string("''") : std::string(1, c);
        if (Result<void> copied = database.execute("VACUUM INTO '" + quoted + "'"); !copied)
            return copied.error();
    }

    SqliteTransaction transaction(database);
    if (Result<void> begun = transaction.begin(); !begun)
        return begun.error();
    for (int step = current.value(); step < target; ++step)
        if (Result<void> applied = database.execute(migrations()[static_cast<std::size_t>(step)]); !applied)
            return Error{applied.error().code,
                         applied.error().message + " (migrating to schema version " + std::to_string(step + 1)
                             + "; nothing was changed)",
                         applied.error().retryable};
    if (Result<void> set = database.execute("PRAGMA user_version = " + std::to_string(target)); !set)
        return set.error();
    if (Result<void> set = database.execute("PRAGMA application_id = " + std::to_string(kApplicationId)); !set)
        return set.error();
    if (Result<void> committed = transaction.commit(); !committed)
        return committed.error();
    return backup;
}

} // namespace rl

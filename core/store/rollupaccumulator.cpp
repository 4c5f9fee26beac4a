#include "store/rollupaccumulator.h"

#include "store/latencybuckets.h"

namespace rl {

namespace {

constexpr const char *kUpsertRollup =
    "INSERT INTO daily_rollups VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
    "?18, ?19, ?20, ?21, ?22) ON CONFLICT DO UPDATE SET requests = requests + excluded.requests, "
    "errors = errors + excluded.errors, blocked = blocked + excluded.blocked, "
    "fallbacks = fallbacks + excluded.fallbacks, unpriced = unpriced + excluded.unpriced, "
    "input_tokens = input_tokens + excluded.input_tokens, "
    "cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens, "
    "cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, "
    "output_tokens = output_tokens + excluded.output_tokens, "
    "reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cost_micro = cost_micro + excluded.cost_micro, "
    "reported_cost_micro = reported_cost_micro + excluded.reported_cost_micro, "
    "frontier_cost_micro = frontier_cost_micro + excluded.frontier_cost_micro, "
    "latency_ms_sum = latency_ms_sum + excluded.latency_ms_sum, unmetered = unmetered + excluded.unmetered";
constexpr const char *kUpsertLatency = "INSERT INTO latency_rollups VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE "
                                       "SET requests = requests + excluded.requests";
constexpr const char *kUpsertUser = "INSERT INTO user_rollups VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE SET "
                                    "requests = requests + excluded.requests, cost_micro = cost_micro + "
                                    "excluded.cost_micro";
constexpr const char *kUpsertTag = "INSERT INTO tag_rollups VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE SET "
                                   "requests = requests + excluded.requests, cost_micro = cost_micro + "
                                   "excluded.cost_micro";
constexpr const char *kPolicyVersion = "INSERT INTO policy_versions VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE SET "
                                       "first_seen_ms = min(first_seen_ms, excluded.first_seen_ms)";

} // namespace

std::size_t RollupAccumulator::KeyHash::operator()(const Key &key) const
{
    std::uint64_t h = 0x9E3779B97F4A7C15ull;
    for (std::int64_t part : key)
        h = (h ^ static_cast<std::uint64_t>(part)) * 0xBF58476D1CE4E5B9ull;
    return static_cast<std::size_t>(h ^ (h >> 31));
}

Result<void> RollupAccumulator::prepare(SqliteDatabase &db)
{
    return db.prepareAll({{&m_upsertRollup, kUpsertRollup},
                          {&m_upsertLatency, kUpsertLatency},
                          {&m_upsertUser, kUpsertUser},
                          {&m_upsertTag, kUpsertTag},
                          {&m_policyVersion, kPolicyVersion}});
}

void RollupAccumulator::start(std::int64_t source)
{
    m_source = source;
    m_rollups.clear();
    m_latencies.clear();
    m_users.clear();
    m_tags.clear();
    m_policyVersions.clear();
}

void RollupAccumulator::addEvent(const EventIds &ids, const UsageEvent &e)
{
    Values &r = m_rollups[{ids.day, m_source, ids.team, ids.app, ids.model, ids.tier, ids.rule}];
    ++r.requests;
    r.errors += e.status == UsageStatus::Error;
    r.blocked += e.status == UsageStatus::Blocked;
    r.fallbacks += e.status == UsageStatus::Fallback;
    r.unpriced += e.unpriced;
    r.unmetered += e.unmetered;
    r.addTokens(e.tokens);
    r.cost += e.costMicro;
    r.reportedCost += e.reportedCostMicro.value_or(0);
    r.frontierCost += e.frontierCostMicro;
    r.latencySum += e.latencyMs;
    if (e.status != UsageStatus::Blocked)
        ++m_latencies[{ids.day, ids.model, LatencyBuckets::bucketOf(e.latencyMs)}];
    auto &perUser = m_users[{ids.day, ids.team, ids.user}];
    ++perUser.first;
    perUser.second += e.costMicro;
    for (const std::string &tag : e.tags) {
        if (tag.empty())
            continue;
        auto &perTag = m_tags[{ids.day, tag}];
        ++perTag.first;
        perTag.second += e.costMicro;
    }
    if (e.policyVersion > 0) {
        auto [it, added] = m_policyVersions.emplace(e.policyVersion, e.timeMs);
        if (!added && e.timeMs < it->second)
            it->second = e.timeMs;
    }
}

void RollupAccumulator::addBucket(const BucketIds &ids, const UsageBucket &b)
{
    Values &r = m_rollups[{ids.day, m_source, ids.team, ids.app, ids.model, 0, 0}];
    r.requests += b.requests;
    r.addTokens(b.tokens);
    r.cost += b.costMicro;
    r.reportedCost += b.reportedCostMicro.value_or(0);
    r.frontierCost += b.costMicro; // buckets are not routed: nothing saved
    r.unpriced += b.unpriced ? b.requests : 0;
}

void RollupAccumulator::subtractStoredBucket(const SqliteStatement &row, int first)
{
    Values &old =
        m_rollups[{row.int64(first), m_source, row.int64(first + 1), row.int64(first + 2), row.int64(first + 3), 0, 0}];
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
}

Result<void> RollupAccumulator::write()
{
    for (const auto &[key, r] : m_rollups) {
        SqliteStatement &s = m_upsertRollup;
        for (int i = 0; i < 7; ++i)
            s.bind(i + 1, key[static_cast<std::size_t>(i)]);
        const std::int64_t values[] = {r.requests, r.errors,       r.blocked,      r.fallbacks,  r.unpriced,
                                       r.input,    r.cachedInput,  r.cacheWrite,   r.output,     r.reasoning,
                                       r.cost,     r.reportedCost, r.frontierCost, r.latencySum, r.unmetered};
        for (int i = 0; i < 15; ++i)
            s.bind(8 + i, values[i]);
        if (Result<void> stored = s.run(); !stored)
            return stored;
    }
    for (const auto &[key, requests] : m_latencies) {
        m_upsertLatency.bind(1, key[0]).bind(2, key[1]).bind(3, key[2]).bind(4, requests);
        if (Result<void> stored = m_upsertLatency.run(); !stored)
            return stored;
    }
    for (const auto &[key, totals] : m_users) {
        m_upsertUser.bind(1, key[0]).bind(2, key[1]).bind(3, key[2]).bind(4, totals.first).bind(5, totals.second);
        if (Result<void> stored = m_upsertUser.run(); !stored)
            return stored;
    }
    for (const auto &[key, totals] : m_tags) {
        m_upsertTag.bind(1, key.first).bind(2, m_source).bind(3, std::string_view(key.second));
        m_upsertTag.bind(4, totals.first).bind(5, totals.second);
        if (Result<void> stored = m_upsertTag.run(); !stored)
            return stored;
    }
    for (const auto &[version, firstSeen] : m_policyVersions) {
        m_policyVersion.bind(1, m_source).bind(2, version).bind(3, firstSeen);
        if (Result<void> stored = m_policyVersion.run(); !stored)
            return stored;
    }
    return {};
}

Result<void> RollupAccumulator::rebuild(SqliteDatabase &db)
{
    return db.execute(R"SQL(
DELETE FROM user_rollups;
INSERT INTO user_rollups SELECT day, team_id, user_id, count(*), sum(cost_micro) FROM usage_events GROUP BY 1, 2, 3;
DELETE FROM tag_rollups;
INSERT INTO tag_rollups
WITH RECURSIVE split(day, source_id, cost, rest, tag) AS (
  SELECT day, source_id, cost_micro, tags || ',', '' FROM usage_events WHERE tags != ''
  UNION ALL
  SELECT day, source_id, cost, substr(rest, instr(rest, ',') + 1), substr(rest, 1, instr(rest, ',') - 1)
  FROM split WHERE rest != '')
SELECT day, source_id, tag, count(*), sum(cost) FROM split WHERE tag != '' GROUP BY 1, 2, 3;
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

} // namespace rl

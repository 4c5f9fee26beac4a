#pragma once

#include "error.h"
#include "store/sqlitedatabase.h"
#include "store/usagerecords.h"

#include <array>
#include <cstdint>
#include <map>
#include <unordered_map>
#include <utility>

namespace rl {

// What one ingest batch adds to the stored aggregates, summed in memory and upserted once at the end of the
// batch, inside its transaction: daily rollups (day × source × team × app × model × tier × rule), latency
// histograms (day × model × bucket), per-user spend (day × team × user), per-tag spend (day × source × tag) and the
// first time each policy version was seen. A revised or replaced bucket is subtracted, so the rollups move by the
// difference.
class RollupAccumulator {
public:
    // The stored bucket columns subtractStoredBucket() reads, in its order.
    static constexpr const char *kStoredBucketColumns =
        "day, team_id, app_id, model_id, requests, input_tokens, cached_input_tokens, cache_write_tokens, "
        "output_tokens, reasoning_tokens, cost_micro, COALESCE(reported_cost_micro, 0), unpriced";

    struct EventIds {
        std::int64_t day = 0, team = 0, user = 0, app = 0, model = 0, tier = 0, rule = 0;
    };
    struct BucketIds {
        std::int64_t day = 0, team = 0, app = 0, model = 0;
    };

    // The upserts, prepared once on the writer's connection.
    Result<void> prepare(SqliteDatabase &db);

    // A new batch from `source`: what an earlier (committed or failed) batch summed is dropped.
    void start(std::int64_t source);
    void addEvent(const EventIds &ids, const UsageEvent &event);
    void addBucket(const BucketIds &ids, const UsageBucket &bucket);
    // A stored bucket about to be replaced or deleted; `row`'s columns from `first` on are kStoredBucketColumns.
    void subtractStoredBucket(const SqliteStatement &row, int first);
    // Upserts the batch's sums; the caller's transaction makes them land with the rows or not at all.
    Result<void> write();

    // Every rollup recomputed from the stored events and buckets (after a time-zone or identity change; tests
    // compare it with the incremental rollups). First-seen policy versions depend on neither, so they stay.
    static Result<void> rebuild(SqliteDatabase &db);

private:
    using Key = std::array<std::int64_t, 7>; // day, source, team, app, model, tier, rule
    struct KeyHash {
        std::size_t operator()(const Key &key) const;
    };
    struct Values {
        std::int64_t requests = 0, errors = 0, blocked = 0, fallbacks = 0, unpriced = 0;
        std::int64_t input = 0, cachedInput = 0, cacheWrite = 0, output = 0, reasoning = 0;
        std::int64_t cost = 0, reportedCost = 0, frontierCost = 0, latencySum = 0;
        std::int64_t unmetered = 0;

        void addTokens(const TokenUsage &tokens)
        {
            input += tokens.input;
            cachedInput += tokens.cachedInput;
            cacheWrite += tokens.cacheWrite;
            output += tokens.output;
            reasoning += tokens.reasoning;
        }
    };

    std::int64_t m_source = 0;
    std::unordered_map<Key, Values, KeyHash> m_rollups;
    std::map<std::array<std::int64_t, 3>, std::int64_t> m_latencies; // (day, model, bucket) -> requests
    std::map<std::array<std::int64_t, 3>, std::pair<std::int64_t, std::int64_t>> m_users;         // (day, team, user)
    std::map<std::pair<std::int64_t, std::string>, std::pair<std::int64_t, std::int64_t>> m_tags; // (day, tag)
    std::map<std::int64_t, std::int64_t> m_policyVersions; // version -> first seen
    SqliteStatement m_upsertRollup, m_upsertLatency, m_upsertUser, m_upsertTag, m_policyVersion;
};

} // namespace rl

// Store ingest rate: UsageStore::ingest (dedupe index, daily rollups, cursor, one transaction a batch)
// against the ceiling of inserting the same rows into a bare table with no index, in the same run.
//   bench/ingest_rate [--events N] [--batch N] [--dir DIR]
#include "store/sqlitedatabase.h"
#include "store/usagestore.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::vector<rl::UsageEvent> makeEvents(std::int64_t count)
{
    std::mt19937_64 random(42);
    std::vector<rl::UsageEvent> events(static_cast<std::size_t>(count));
    const char *tiers[] = {"frontier", "mid", "light"};
    const char *models[] = {"anthropic/claude-opus-4-1", "anthropic/claude-sonnet-4-5", "openai/gpt-5-nano"};
    const std::int64_t start = 1764547200000; // 2025-12-01
    for (std::int64_t i = 0; i < count; ++i) {
        rl::UsageEvent &e = events[static_cast<std::size_t>(i)];
        const auto r = random();
        const int tier = static_cast<int>(r % 3);
        e.requestId = "req-" + std::to_string(i);
        e.timeMs = start + i * 2000; // a steady stream
        e.team = "team-" + std::to_string((r >> 8) % 12);
        e.user = "user-" + std::to_string((r >> 16) % 200);
        // Apps belong to teams and rules to tiers, as in real traffic, which bounds the rollup rows a day.
        e.app = "app-" + std::to_string((r >> 8) % 12 * 2 + (r >> 24) % 2);
        e.model = models[tier];
        e.provider = tier == 2 ? "openai" : "anthropic";
        e.tier = tiers[tier];
        e.tierRank = tier;
        e.rule = "rule-" + std::to_string(static_cast<std::uint64_t>(tier) * 2 + (r >> 32) % 2);
        e.policyVersion = 3;
        e.tokens = {static_cast<std::int64_t>((r >> 40) % 4000), 0, 0, static_cast<std::int64_t>((r >> 20) % 800), 0};
        e.costMicro = static_cast<std::int64_t>((r >> 12) % 50000);
        e.frontierCostMicro = e.costMicro * 4;
        e.latencyMs = static_cast<std::int64_t>((r >> 44) % 3000);
        e.complexity = 0.3;
        e.task = "chat";
    }
    return events;
}

double ceilingRate(const std::string &path, const std::vector<rl::UsageEvent> &events, std::size_t batch)
{
    auto db = rl::SqliteDatabase::open(path);
    db->execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    db->execute(
        "CREATE TABLE bare (source_id, request_id, time_ms, day, team, user, app, tags, requested_model, model, "
        "provider, tier, rule, policy_version, input_tokens, cached_input_tokens, cache_write_tokens, "
        "output_tokens, reasoning_tokens, cost_micro, reported_cost_micro, frontier_cost_micro, unpriced, "
        "latency_ms, status, complexity, task)");
    auto insert =
        db->prepare("INSERT INTO bare VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                    "?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)");
    const auto started = Clock::now();
    for (std::size_t i = 0; i < events.size();) {
        db->execute("BEGIN");
        for (std::size_t end = std::min(events.size(), i + batch); i < end; ++i) {
            const rl::UsageEvent &e = events[i];
            rl::SqliteStatement &s = insert.value();
            s.bind(1, std::int64_t(1)).bind(2, e.requestId).bind(3, e.timeMs).bind(4, e.timeMs / 86'400'000);
            s.bind(5, e.team).bind(6, e.user).bind(7, e.app).bind(8, std::string_view()).bind(9, e.requestedModel);
            s.bind(10, e.model).bind(11, e.provider).bind(12, e.tier).bind(13, e.rule).bind(14, e.policyVersion);
            s.bind(15, e.tokens.input).bind(16, e.tokens.cachedInput).bind(17, e.tokens.cacheWrite);
            s.bind(18, e.tokens.output).bind(19, e.tokens.reasoning).bind(20, e.costMicro).bindNull(21);
            s.bind(22, e.frontierCostMicro)
                .bind(23, 0)
                .bind(24, e.latencyMs)
                .bind(25, 0)
                .bind(26, 0.3)
                .bind(27, e.task);
            s.run();
        }
        db->execute("COMMIT");
    }
    return static_cast<double>(events.size()) / std::chrono::duration<double>(Clock::now() - started).count();
}

double storeRate(const std::string &path, const std::vector<rl::UsageEvent> &events, std::size_t batchSize,
                 std::size_t &inserted)
{
    auto store = rl::UsageStore::open(path);
    if (!store) {
        std::fprintf(stderr, "%s\n", store.error().message.c_str());
        std::exit(1);
    }
    inserted = 0;
    const auto started = Clock::now();
    rl::IngestBatch batch;
    batch.source = "bench";
    for (std::size_t i = 0; i < events.size(); i += batchSize) {
        batch.events.assign(events.begin() + static_cast<std::ptrdiff_t>(i),
                            events.begin() + static_cast<std::ptrdiff_t>(std::min(events.size(), i + batchSize)));
        batch.cursor = std::to_string(i + batch.events.size());
        auto result = store->ingest(batch);
        if (!result) {
            std::fprintf(stderr, "%s\n", result.error().message.c_str());
            std::exit(1);
        }
        inserted += result->inserted;
    }
    return static_cast<double>(events.size()) / std::chrono::duration<double>(Clock::now() - started).count();
}

} // namespace

int main(int argc, char **argv)
{
    std::int64_t count = 1'000'000;
    std::size_t batch = 20'000;
    std::string dir = std::filesystem::temp_directory_path() / "routeledger-ingest-bench";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--events"))
            count = std::atoll(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--batch"))
            batch = static_cast<std::size_t>(std::atoll(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--dir"))
            dir = argv[i + 1];
    }
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::vector<rl::UsageEvent> events = makeEvents(count);
    // Bare rows (the ceiling) and the store, alternated twice so both see the same machine state.
    double ceiling[2], store[2];
    std::size_t inserted = 0;
    for (int round = 0; round < 2; ++round) {
        ceiling[round] = ceilingRate(dir + "/bare-" + std::to_string(round) + ".db", events, batch);
        store[round] = storeRate(dir + "/store-" + std::to_string(round) + ".db", events, batch, inserted);
    }
    const double c = std::max(ceiling[0], ceiling[1]);
    const double s = std::max(store[0], store[1]);
    const auto size = std::filesystem::file_size(dir + "/store-1.db");
    std::printf("ingest of %lld events in batches of %zu (best of 2 rounds each)\n", static_cast<long long>(count),
                batch);
    std::printf("  bare rows, no index (ceiling): %9.0f rows/s\n", c);
    std::printf("  UsageStore::ingest:            %9.0f events/s  (%.0f %% of the ceiling; %zu inserted)\n", s,
                100.0 * s / c, inserted);
    std::printf("  store file: %.1f MB, %.1f MB per million events (after checkpoint: see the WAL size)\n",
                static_cast<double>(size) / 1e6, static_cast<double>(size) / 1e6 / (static_cast<double>(count) / 1e6));
    std::filesystem::remove_all(dir);
    return 0;
}

// Replay on history (issue 14): the last N days of a store under a draft and its latest published version, as
// `routeledger simulate` and the studio's Simulate tab run it; wall time, events per second and peak memory.
//   bench/simulate_replay --store FILE --policy DRAFT.json [--days 30] [--runs 5] [--read-only]
// --read-only reads the events (the columns a replay reads) on one thread without replaying them: the floor the
// store sets.
#include "routing/policyparser.h"
#include "simulate/simulation.h"
#include "textfile.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

int main(int argc, char **argv)
{
    std::string store, policyPath;
    int days = 30, runs = 5;
    bool readOnly = false;
    for (int i = 1; i < argc; ++i) {
        const bool hasValue = i + 1 < argc;
        if (!std::strcmp(argv[i], "--store") && hasValue)
            store = argv[++i];
        else if (!std::strcmp(argv[i], "--policy") && hasValue)
            policyPath = argv[++i];
        else if (!std::strcmp(argv[i], "--days") && hasValue)
            days = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--runs") && hasValue)
            runs = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--read-only"))
            readOnly = true;
    }
    auto reader = rl::HistoryReader::open(store);
    auto text = rl::readTextFile(policyPath, rl::PolicyParser::kMaxDocumentBytes);
    if (!reader || !text || days < 1 || runs < 1) {
        std::fprintf(stderr, "usage: simulate_replay --store FILE --policy DRAFT.json [--days 30] [--runs 5]\n");
        return 2;
    }
    const rl::PolicyLoad draft = rl::PolicyParser::parse(text.value());
    auto published = reader->publishedPolicy();
    if (!draft.ok() || !published || !published.value()) {
        std::fprintf(stderr, "the draft is invalid or the store has no published version\n");
        return 1;
    }
    const rl::PolicyLoad baseline = rl::PolicyParser::parse(*published.value());
    auto last = reader->database().prepare("SELECT max(day) FROM usage_events");
    if (!last || !last->step().valueOr(false))
        return 1;
    rl::SimulationOptions options;
    options.scope.toDay = last->int64(0) + 1;
    options.scope.fromDay = options.scope.toDay - days;
    std::int64_t progressCalls = 0;
    options.progress = [&](std::int64_t, std::int64_t) {
        ++progressCalls;
        return true;
    };

    std::vector<double> seconds;
    std::int64_t events = 0, unknown = 0;
    for (int run = 0; run < runs; ++run) {
        const auto start = std::chrono::steady_clock::now();
        if (readOnly) {
            events = 0;
            auto read = reader->forEach(
                options.scope,
                [&](const rl::StoredEvent &) {
                    ++events;
                    return true;
                },
                rl::HistoryReader::Fields::Replay);
            if (!read)
                return 1;
        } else {
            auto result = rl::Simulation::run(reader.value(), baseline.policy, draft.policy, options);
            if (!result) {
                std::fprintf(stderr, "%s\n", result.error().message.c_str());
                return 1;
            }
            events = result->events;
            unknown = result->unknown.requests;
        }
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        std::printf("run %d: %.2f s\n", run + 1, seconds.back());
    }
    std::sort(seconds.begin(), seconds.end());
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("%s %d days: %lld events (%lld unknown), median %.2f s (min %.2f, max %.2f), %.2f M events/s, "
                "peak RSS %ld MB, %lld progress reports\n",
                readOnly ? "read" : "replay", days, static_cast<long long>(events), static_cast<long long>(unknown),
                seconds[seconds.size() / 2], seconds.front(), seconds.back(),
                static_cast<double>(events) / seconds[seconds.size() / 2] / 1e6, usage.ru_maxrss / 1024,
                static_cast<long long>(progressCalls));
    return 0;
}

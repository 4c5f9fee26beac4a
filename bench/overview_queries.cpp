// The queries behind the Overview page on a large store, from daily rollups (what the app runs) and, for
// comparison, the same figures computed from raw events.
//   bench/overview_queries --store FILE [--runs 15]
#include "store/usagequeries.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

bool runRaw(rl::SqliteDatabase &db, const std::string &sql, std::int64_t from, std::int64_t to)
{
    auto query = db.prepare(sql);
    if (!query)
        return false;
    query->bind(1, from).bind(2, to);
    while (query->step().valueOr(false)) {
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    std::string path;
    int runs = 15;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--store"))
            path = argv[i + 1];
        else if (!std::strcmp(argv[i], "--runs"))
            runs = std::atoi(argv[i + 1]);
    }
    auto queries = rl::UsageQueries::open(path);
    if (path.empty() || !queries) {
        std::fprintf(stderr, "usage: overview_queries --store FILE (%s)\n",
                     queries ? "" : queries.error().message.c_str());
        return 2;
    }
    auto range = queries->dataRange();
    if (!range || !range.value()) {
        std::fprintf(stderr, "the store is empty\n");
        return 1;
    }
    const std::int64_t last = range.value()->second;
    const rl::UsageFilter filter{last - 29, last + 1, {}, {}, {}, {}, {}}; // the last 30 days
    const std::int64_t nowMs = queries->calendar().dayStartMs(last) + 43'200'000;
    std::int64_t events = 0;
    {
        auto count = queries->database().prepare("SELECT max(id) FROM usage_events");
        if (count && count->step().valueOr(false))
            events = count->int64(0);
    }

    std::vector<double> rollup, raw, everything;
    for (int run = 0; run < runs; ++run) {
        auto start = Clock::now();
        const bool ok = queries->totals(filter).ok() && queries->spendByDayAndTier(filter).ok()
                        && queries->routingMix(filter).ok() && queries->spendByTeam(filter).ok()
                        && queries->budgetStatus(nowMs).ok() && queries->policyVersions().ok();
        if (!ok)
            return 1;
        rollup.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        // Everything a filter change loads for all pages (Teams' trend and drill-down, Routing's charts too).
        start = Clock::now();
        rl::UsageFilter previous = filter;
        previous.toDay = filter.fromDay;
        previous.fromDay = filter.fromDay - 30;
        const bool all = queries->totals(filter).ok() && queries->spendByDayAndTier(filter).ok()
                         && queries->routingMix(filter).ok() && queries->spendByTeam(filter).ok()
                         && queries->budgetStatus(nowMs).ok() && queries->policyVersions().ok()
                         && queries->spendByTeam(previous).ok() && queries->teamBreakdown(filter).ok()
                         && queries->qualityByDay(filter).ok() && queries->latencyByModel(filter).ok();
        if (!all)
            return 1;
        everything.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    const char *rawQueries[] = {
        "SELECT count(*), sum(status = 1), sum(status = 2), sum(status = 3), sum(unpriced), sum(input_tokens), "
        "sum(output_tokens), sum(cost_micro), sum(frontier_cost_micro) FROM usage_events WHERE day >= ?1 AND day < ?2",
        "SELECT day, tier_id, count(*), sum(cost_micro) FROM usage_events WHERE day >= ?1 AND day < ?2 GROUP BY 1, 2",
        "SELECT tier_id, rule_id, count(*), sum(cost_micro) FROM usage_events WHERE day >= ?1 AND day < ?2 GROUP BY 1, "
        "2",
        "SELECT team_id, count(*), sum(cost_micro), sum(frontier_cost_micro) FROM usage_events WHERE day >= ?1 AND "
        "day < ?2 GROUP BY 1",
        "SELECT team_id, sum(cost_micro) FROM usage_events WHERE day >= ?1 AND day < ?2 GROUP BY 1"};
    const int rawRuns = std::max(3, runs / 5);
    for (int run = 0; run < rawRuns; ++run) {
        auto start = Clock::now();
        for (const char *sql : rawQueries)
            if (!runRaw(queries->database(), sql, filter.fromDay, filter.toDay))
                return 1;
        raw.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    const double r = median(rollup);
    const double e = median(raw);
    std::printf("Overview queries on %lld events, last 30 days\n", static_cast<long long>(events));
    std::printf("  from daily rollups: median %.1f ms over %d runs (min %.1f, max %.1f)\n", r, runs,
                *std::min_element(rollup.begin(), rollup.end()), *std::max_element(rollup.begin(), rollup.end()));
    std::printf("  from raw events:    median %.0f ms over %d runs (%.0fx slower)\n", e, rawRuns, e / r);
    std::printf("  every page's queries (Overview, Teams with drill-down, Routing): median %.1f ms\n",
                median(everything));
    return 0;
}

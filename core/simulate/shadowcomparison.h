#pragma once

#include "error.h"
#include "simulate/historyreader.h"
#include "simulate/simulationresult.h"

#include <cstdint>
#include <string>
#include <vector>

namespace rl {

struct ShadowDay {
    std::int64_t day = 0;
    std::int64_t requests = 0, moved = 0;
    std::int64_t liveCostMicro = 0, shadowCostMicro = 0;
};

// What a shadow policy would have done with the live traffic it saw (DESIGN.md §3.4), from the shadow fields the
// routers record on every request: the requests it would have sent to another tier (from the live tier to the
// shadow's, in all, by the shadow's rule and by team), what they would have cost, per day. This covers what a
// replay cannot: prompt conditions on real prompts.
struct ShadowComparison {
    std::int64_t sinceMs = 0;           // the first request with a shadow decision in the period; 0 when none
    std::vector<std::int64_t> versions; // the shadow policy versions seen
    std::int64_t requests = 0, moved = 0, blockedByShadow = 0;
    std::int64_t liveCostMicro = 0, shadowCostMicro = 0;
    std::vector<TierMove> moves, byRule, byTeam;
    std::vector<ShadowDay> days;

    // "In shadow since 2026-12-01 (version 4): would move 14.2 % of 52,340 requests, most from mid to light,
    // −$212.40 a day; rules easy-to-light, data-mid." Empty when no request had a shadow decision.
    std::string summary() const;
};

class ShadowComparisons {
public:
    // The period and scope of `filter` (days, team, app, source; sources kept out of spend left out unless named).
    static Result<ShadowComparison> read(HistoryReader &reader, const UsageFilter &filter);
};

} // namespace rl

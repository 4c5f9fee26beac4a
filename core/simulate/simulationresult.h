#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rl {

// What one policy did with the compared requests of a simulation.
struct PolicyFigures {
    std::string name;
    std::int64_t version = 0;
    std::vector<std::string> tierNames; // the policy's tiers, most capable first
    std::int64_t requests = 0;
    std::int64_t blocked = 0;
    std::int64_t unpriced = 0; // served by a model without a price at the time: counted at $0
    std::int64_t costMicro = 0;
    std::int64_t frontierCostMicro = 0;               // every request on the policy's frontier tier's first model
    std::map<std::string, std::int64_t> tierRequests; // tier name, "blocked", or "none" (a model outside tiers)
    std::map<std::string, std::int64_t> tierCostMicro;
    // The estimated quality: the expected number of requests a cheaper tier answers worse than the frontier tier
    // would have, from the complexity the scorer gave each one (its estimate of exactly that chance on the
    // cheapest tier; the tiers between are interpolated by rank), over the requests that have a complexity.
    double expectedShortfalls = 0.0;
    std::int64_t scoredRequests = 0;
    std::int64_t savedMicro() const { return frontierCostMicro - costMicro; }
};

// Requests that moved from one tier to another, in all or within one rule (the draft's deciding rule) or team.
struct TierMove {
    std::string group; // the rule or team; empty in the overall list
    std::string from, to;
    std::int64_t requests = 0;
    std::int64_t costDeltaMicro = 0; // draft minus baseline
};

// Requests whose outcome under one of the policies depends on something that was not recorded.
struct UnknownFigures {
    std::int64_t requests = 0;
    std::map<std::string, std::int64_t> reasons; // the first unknown met, per request
    // The range of these requests' cost under each policy (costs that cannot be priced count as 0 in both ends).
    std::int64_t baselineCostMinMicro = 0, baselineCostMaxMicro = 0;
    std::int64_t draftCostMinMicro = 0, draftCostMaxMicro = 0;
    // How many of them could end in each tier under the draft (a request counts in every tier it may reach).
    std::map<std::string, std::int64_t> draftTierRequests;
};

struct DayFigures {
    std::int64_t day = 0; // the organisation's day
    std::int64_t requests = 0;
    std::int64_t baselineCostMicro = 0, draftCostMicro = 0;
};

struct SimulationResult {
    std::int64_t fromMs = 0, toMs = 0; // the period's UTC bounds [from, to)
    std::string team, app, source;     // the scope; empty: all
    std::int64_t events = 0;           // in the scope
    std::int64_t compared = 0;         // whose outcome is known under both policies
    PolicyFigures baseline, draft;     // over the compared requests
    std::vector<TierMove> moved, movedByRule, movedByTeam;
    UnknownFigures unknown;
    std::vector<DayFigures> days; // compared requests per day
};

} // namespace rl

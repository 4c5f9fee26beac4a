#include "simulate/simulationjson.h"

#include "store/orgcalendar.h"

#include <nlohmann/json.hpp>

namespace rl {

namespace {

nlohmann::json figures(const PolicyFigures &f)
{
    nlohmann::json out;
    out["name"] = f.name;
    out["version"] = f.version;
    out["requests"] = f.requests;
    out["blocked"] = f.blocked;
    out["unpriced"] = f.unpriced;
    out["cost_micro_usd"] = f.costMicro;
    out["frontier_cost_micro_usd"] = f.frontierCostMicro;
    out["saved_micro_usd"] = f.savedMicro();
    out["tiers"] = nlohmann::json::object();
    for (const auto &[tier, requests] : f.tierRequests)
        out["tiers"][tier] = requests;
    out["tier_cost_micro_usd"] = nlohmann::json::object();
    for (const auto &[tier, cost] : f.tierCostMicro)
        out["tier_cost_micro_usd"][tier] = cost;
    out["quality"] = {{"scored_requests", f.scoredRequests},
                      {"expected_shortfalls", f.expectedShortfalls},
                      {"expected_shortfall_rate",
                       f.scoredRequests ? f.expectedShortfalls / static_cast<double>(f.scoredRequests) : 0.0}};
    return out;
}

nlohmann::json moves(const std::vector<TierMove> &list, const char *groupKey)
{
    nlohmann::json out = nlohmann::json::array();
    for (const TierMove &move : list) {
        nlohmann::json item;
        if (groupKey)
            item[groupKey] = move.group;
        item["from"] = move.from;
        item["to"] = move.to;
        item["requests"] = move.requests;
        item["cost_delta_micro_usd"] = move.costDeltaMicro;
        out.push_back(std::move(item));
    }
    return out;
}

} // namespace

nlohmann::json SimulationJson::write(const SimulationResult &r)
{
    nlohmann::json out;
    out["from_ms"] = r.fromMs;
    out["to_ms"] = r.toMs;
    out["scope"] = {{"team", r.team}, {"app", r.app}, {"source", r.source}};
    out["events"] = r.events;
    out["compared"] = r.compared;
    out["baseline"] = figures(r.baseline);
    out["draft"] = figures(r.draft);
    out["cost_delta_micro_usd"] = r.draft.costMicro - r.baseline.costMicro;
    out["moved"] = moves(r.moved, nullptr);
    out["moved_by_rule"] = moves(r.movedByRule, "rule");
    out["moved_by_team"] = moves(r.movedByTeam, "team");
    nlohmann::json unknown;
    unknown["requests"] = r.unknown.requests;
    unknown["reasons"] = nlohmann::json::object();
    for (const auto &[reason, requests] : r.unknown.reasons)
        unknown["reasons"][reason] = requests;
    unknown["baseline_cost_micro_usd"] = {{"min", r.unknown.baselineCostMinMicro},
                                          {"max", r.unknown.baselineCostMaxMicro}};
    unknown["draft_cost_micro_usd"] = {{"min", r.unknown.draftCostMinMicro}, {"max", r.unknown.draftCostMaxMicro}};
    unknown["draft_tiers_possible"] = nlohmann::json::object();
    for (const auto &[tier, requests] : r.unknown.draftTierRequests)
        unknown["draft_tiers_possible"][tier] = requests;
    out["unknown"] = std::move(unknown);
    out["days"] = nlohmann::json::array();
    for (const DayFigures &day : r.days)
        out["days"].push_back({{"date", OrgCalendar::dateText(day.day)},
                               {"requests", day.requests},
                               {"baseline_cost_micro_usd", day.baselineCostMicro},
                               {"draft_cost_micro_usd", day.draftCostMicro}});
    return out;
}

} // namespace rl

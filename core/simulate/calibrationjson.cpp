#include "simulate/calibrationjson.h"

#include <nlohmann/json.hpp>

namespace rl {

nlohmann::json CalibrationJson::point(const CalibrationResult &result, const CalibrationPoint &point)
{
    nlohmann::json out;
    out["thresholds"] = point.thresholds;
    out["cost_micro_usd"] = point.costMicro;
    out["quality"] = point.quality;
    out["frontier_share"] = point.frontierShare;
    nlohmann::json tiers = nlohmann::json::object();
    for (std::size_t slot = 0; slot < point.tierRequests.size(); ++slot) {
        const std::string name = slot < result.tierNames.size()    ? result.tierNames[slot]
                                 : slot == result.tierNames.size() ? std::string("blocked")
                                                                   : std::string("none");
        if (point.tierRequests[slot] > 0 || slot < result.tierNames.size())
            tiers[name] = point.tierRequests[slot];
    }
    out["tiers"] = std::move(tiers);
    return out;
}

nlohmann::json CalibrationJson::write(const CalibrationResult &r)
{
    nlohmann::json out;
    out["from_ms"] = r.fromMs;
    out["to_ms"] = r.toMs;
    out["scope"] = {{"team", r.team}, {"app", r.app}, {"source", r.source}};
    out["target"] = {{"kind", r.target.kind == CalibrationTarget::Kind::Quality ? "quality" : "frontier_share"},
                     {"value", r.target.value},
                     {"reached", r.reached}};
    out["events"] = r.events;
    out["scored"] = r.scored;
    out["unscored"] = r.unscored;
    nlohmann::json reasons = nlohmann::json::object();
    for (const auto &[reason, n] : r.unknownReasons)
        reasons[reason] = n;
    out["unknown"] = {{"requests", r.unknown}, {"reasons", std::move(reasons)}};
    out["evidence"] = {{"ratings", r.ratings}, {"escalations", r.escalations}, {"labels", r.labels}};
    out["thresholds"] = nlohmann::json::array();
    for (std::size_t i = 0; i < r.thresholds.size(); ++i)
        out["thresholds"].push_back({{"current", r.thresholds[i].value},
                                     {"proposed", i < r.proposed.thresholds.size() ? r.proposed.thresholds[i] : 0.0},
                                     {"rules", r.thresholds[i].rules},
                                     {"paths", r.thresholds[i].paths}});
    out["current"] = point(r, r.current);
    out["proposed"] = point(r, r.proposed);
    out["curve"] = nlohmann::json::array();
    for (const CalibrationPoint &p : r.curve)
        out["curve"].push_back(point(r, p));
    return out;
}

} // namespace rl

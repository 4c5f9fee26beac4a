#pragma once

#include "simulate/calibrationresult.h"

#include <nlohmann/json_fwd.hpp>

namespace rl {

// A calibration as `routeledger calibrate --json` prints it (docs/SIMULATE.md): target {kind, value, reached},
// thresholds [{current, proposed, rules, paths}], current and proposed {thresholds, cost_micro_usd, quality,
// frontier_share, tiers}, curve [...same...], events, scored, unscored, unknown {requests, reasons}, evidence
// {ratings, escalations, labels}.
class CalibrationJson {
public:
    static nlohmann::json write(const CalibrationResult &result);
    static nlohmann::json point(const CalibrationResult &result, const CalibrationPoint &point);
};

} // namespace rl

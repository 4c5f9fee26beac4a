#pragma once

#include "error.h"
#include "routing/policy.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace rl {

// One complexity threshold of a policy: a value its enabled rules compare the scorer's figure with, and where.
struct ComplexityThreshold {
    double value = 0.0;
    std::vector<std::string> paths; // JSON pointers of the numbers that hold it (".../complexity/lt")
    std::vector<std::string> rules; // the ids of the rules that use it, in policy order
};

// The thresholds that the scorer's figure is compared with in a policy's rules (`lt`, `lte`, `gt`, `gte` and
// `between` on `complexity`): what Calibrate moves. They cut [0, 1] into bands; a request's outcome can change only
// when its complexity crosses into another band, so one decision per band tells what any thresholds in the same
// order would do with it.
class ComplexityThresholds {
public:
    // The distinct values strictly between 0 and 1 in the enabled rules, ascending.
    static std::vector<ComplexityThreshold> of(const Policy &policy);

    // The band of a complexity: the number of thresholds at or below it (band 0 lies below the first).
    static int bandOf(double complexity, const std::vector<double> &thresholds);
    // A complexity inside each band, for deciding a request as if it fell there: the bands' midpoints.
    static std::vector<double> bandValues(const std::vector<double> &thresholds);
    static std::vector<double> valuesOf(const std::vector<ComplexityThreshold> &thresholds);

    // `document` with each threshold's numbers set to the matching new value (rounded to three decimals). The
    // new values must keep the thresholds' order, so that no rule changes meaning apart from where it cuts.
    static Result<nlohmann::ordered_json> apply(nlohmann::ordered_json document,
                                                const std::vector<ComplexityThreshold> &thresholds,
                                                const std::vector<double> &values);
};

} // namespace rl

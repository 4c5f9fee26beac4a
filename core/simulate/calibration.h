#pragma once

#include "error.h"
#include "routing/complexityscorer.h"
#include "routing/labelledprompts.h"
#include "routing/policy.h"
#include "simulate/calibrationresult.h"
#include "simulate/historyreader.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace rl {

struct CalibrationOptions {
    UsageFilter scope; // days [fromDay, toDay) and team, app, source (empty: all)
    CalibrationTarget target;
    const std::vector<LabelledPrompt> *labels = nullptr; // optional: scored with `scorer`
    const ComplexityScorer *scorer = nullptr;            // null: the built-in scorer
    std::function<bool(std::int64_t done, std::int64_t total)> progress;
    std::int64_t splitAtEvents = 200'000;
    int curvePoints = 200;
};

// Calibrate (issue 14): proposes the complexity thresholds of a draft's rules for a target (a frontier share, or a
// quality level relative to all-frontier) from a period of stored requests, their feedback and escalations and,
// when given, labelled prompts. One pass over the store decides every request under the draft in each band of its
// thresholds (through the real engine, as a replay does; requests whose outcome depends on what was not recorded
// are left out and counted); every candidate is then priced from the bins (CalibrationTable) with the expected
// quality of each tier at each complexity (QualityEstimator). Reads only.
class Calibration {
public:
    static Result<CalibrationResult> run(HistoryReader &reader, const std::shared_ptr<const Policy> &draft,
                                         const CalibrationOptions &options);
};

} // namespace rl

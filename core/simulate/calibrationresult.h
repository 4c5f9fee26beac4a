#pragma once

#include "simulate/calibrationtable.h"
#include "simulate/complexitythresholds.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rl {

struct CalibrationResult {
    std::int64_t fromMs = 0, toMs = 0; // the period's UTC bounds [from, to)
    std::string team, app, source;     // the scope; empty: all
    std::int64_t events = 0;           // in the scope
    std::int64_t scored = 0;           // known and with a complexity: the ones the thresholds move
    std::int64_t unscored = 0;         // known, without a complexity: the same under every candidate
    std::int64_t unknown = 0;          // outcome depends on what was not recorded: left out
    std::map<std::string, std::int64_t> unknownReasons;
    // The evidence the quality estimate rests on.
    std::int64_t ratings = 0;     // feedback on the scope's requests
    std::int64_t escalations = 0; // of those, requests asked again at a higher tier (rated 0)
    std::int64_t labels = 0;      // labelled prompts scored

    std::vector<std::string> tierNames; // the draft's, most capable first
    std::vector<ComplexityThreshold> thresholds;
    CalibrationTarget target;
    bool reached = false; // the proposal meets the target; otherwise it is the closest candidate
    CalibrationPoint current, proposed;
    std::vector<CalibrationPoint> curve; // the cheapest candidate for each quality: cost ascending
    // Every candidate's figures, for choosing another point or target without reading the store again.
    std::shared_ptr<const CalibrationTable> table;
};

} // namespace rl

#pragma once

#include "error.h"
#include "routing/policy.h"
#include "simulate/historyreader.h"
#include "simulate/simulationresult.h"

#include <cstdint>
#include <functional>
#include <memory>

namespace rl {

struct SimulationOptions {
    UsageFilter scope; // days [fromDay, toDay) and team, app, source (empty: all)
    // Called every few thousand events and at the end with (done, total); false cancels the run.
    std::function<bool(std::int64_t done, std::int64_t total)> progress;
    // From this many events on (the rollups' estimate), the days are cut in two parts of about as many events,
    // the later read on a second thread and connection.
    std::int64_t splitAtEvents = 200'000;
};

// Replays the stored events of a period and scope under a baseline policy and a draft, side by side
// (issue 14 "Replay on history"): spend, saving against all-frontier, tier mix, blocked requests, the requests
// that move between tiers (in all, by the draft's rule and by team), the estimated quality, and the requests
// whose outcome depends on what was not recorded, with the range it spans. Streams: memory does not grow with
// the number of events. Reads only; a cancelled run ("simulate.cancelled") leaves nothing behind.
class Simulation {
public:
    static Result<SimulationResult> run(HistoryReader &reader, const std::shared_ptr<const Policy> &baseline,
                                        const std::shared_ptr<const Policy> &draft, const SimulationOptions &options);
};

} // namespace rl

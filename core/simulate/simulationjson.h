#pragma once

#include "simulate/simulationresult.h"

#include <nlohmann/json_fwd.hpp>

namespace rl {

// A simulation as `routeledger simulate --json` prints it (docs/SIMULATE.md): events, baseline and draft
// {cost_micro_usd, frontier_cost_micro_usd, saved_micro_usd, tiers, …}, moved [{from, to, requests,
// cost_delta_micro_usd}], moved_by_rule, moved_by_team, unknown {requests, reasons, cost ranges}, days.
class SimulationJson {
public:
    static nlohmann::json write(const SimulationResult &result);
};

} // namespace rl

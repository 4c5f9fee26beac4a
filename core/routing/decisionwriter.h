#pragma once

#include "routing/decision.h"
#include "routing/routerequest.h"

#include <nlohmann/json.hpp>

namespace rl {

// The decision and its explanation as JSON: the output of `routeledger route` and of the router's
// POST /admin/route, so that the app and the router explain a decision in the same words.
class DecisionWriter {
public:
    static nlohmann::ordered_json toJson(const Decision &decision, const RouteRequest &request);
};

} // namespace rl

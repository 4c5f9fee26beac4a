#pragma once

#include "error.h"
#include "routing/routerequest.h"

#include <nlohmann/json_fwd.hpp>

#include <string_view>

namespace rl {

// Builds a RouteRequest from an OpenAI chat-completions body. The body may carry a top-level
// "routeledger" object {"team", "user", "app", "tags": [], "budget_used": 0.93, "time_ms": …} that the CLI
// and the app use to say who is asking (the router takes identity from API keys instead), and optionally
// known "complexity", "input_tokens" and "task" values that replace the estimates.
class RequestReader {
public:
    static Result<RouteRequest> fromText(std::string_view body, std::int64_t nowMs);
    static Result<RouteRequest> fromJson(const nlohmann::json &body, std::int64_t nowMs);
};

} // namespace rl

#pragma once

#include "routing/task.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rl {

class LeafOracle;

// Everything the routing engine looks at for one request. RequestReader builds it from an OpenAI
// chat-completions body; the router and the app's "Try a request" page fill it the same way.
struct RouteRequest {
    std::string team;
    std::string user;
    std::string app;
    std::vector<std::string> tags;
    std::string requestedModel = "auto"; // "auto", a tier name or a model id

    // The text of every message, joined with '\n', for `prompt` conditions and the token estimate.
    std::string prompt;
    // Where the last user message sits inside `prompt`: the complexity scorer reads only that part, so a
    // long system prompt does not make every request look hard.
    std::size_t scoredOffset = 0;
    std::size_t scoredLength = 0;
    std::size_t messageCount = 0;

    bool hasTools = false;
    bool hasImages = false;
    bool stream = false;

    // The team's budget consumption as a fraction (0.93 = 93 % used) for the budget guard.
    double budgetUsed = 0.0;
    // UTC milliseconds, for hour_utc and weekday conditions.
    std::int64_t timeMs = 0;

    // Known values that skip the estimators (tests, simulations replaying recorded features).
    std::optional<std::int64_t> inputTokens;
    std::optional<double> complexity;
    std::optional<Task> task;
    // Set by a replay of stored history only (core/simulate): answers the leaves it cannot evaluate.
    LeafOracle *leafOracle = nullptr;

    std::string_view scoredText() const
    {
        if (scoredOffset >= prompt.size())
            return {};
        return std::string_view(prompt).substr(scoredOffset, scoredLength);
    }
};

} // namespace rl

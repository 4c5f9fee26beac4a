#pragma once

#include "upstreamendpoint.h"

#include <string>

namespace rl {

// One model a chat request may be sent to, in the order the policy's fallbacks try them.
struct UpstreamCandidate {
    std::string model; // provider/name
    int tier = -1;     // index into the policy's tiers; -1 for a pinned model outside every tier
    const UpstreamEndpoint *endpoint = nullptr; // null when no provider is configured for the model
};

} // namespace rl

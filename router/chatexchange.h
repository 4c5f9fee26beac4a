#pragma once

#include "asioincludes.h"
#include "routing/policy.h"
#include "watchdog.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace rl {

// How long the router waits for a client to take each piece of an answer.
inline constexpr std::chrono::seconds kClientWriteTimeout{60};

inline std::int64_t msSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

// One chat request being served: the client's connection and what its attempts share (the upstream body,
// the routing facts its answer's headers carry), filled in by ChatProxy and used by each UpstreamExchange.
struct ChatExchange {
    tcp::socket &client;
    Deadline &clientDeadline;
    const HttpRequest &request;
    bool &keepAlive;
    std::string upstreamBody; // the client's body with the router's own fields removed; `model` set per attempt
    bool stream = false;
    bool suppressUsageEvent = false;
    std::chrono::steady_clock::time_point started;
    std::int64_t firstByteMs = 0; // set by the attempt that got an answer's first byte
    std::string requestId;
    std::string ruleId;
    std::string policyVersion;
    std::shared_ptr<const Policy> policy;

    // The X-RouteLedger-* headers of an answer served by `model` of `tier`. Inserted, not set: every answer is the
    // router's own message, without them until now, so the search for earlier values that `set` makes is skipped.
    void setRoutingHeaders(http::fields &headers, std::string_view tier, std::string_view model) const
    {
        headers.insert("X-RouteLedger-Tier", tier);
        headers.insert("X-RouteLedger-Model", model);
        headers.insert("X-RouteLedger-Rule", ruleId);
        headers.insert("X-RouteLedger-Policy-Version", policyVersion);
        headers.insert("X-RouteLedger-Request-Id", requestId);
    }
};

} // namespace rl

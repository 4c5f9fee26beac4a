#pragma once

#include "boundedjson.h"
#include "clientidentifier.h"
#include "error.h"
#include "routing/routerequest.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace rl {

// A chat-completions request read and checked, ready to route and to forward: what the routing engine
// looks at, and the body to send upstream. Free of Beast and Asio, so the fuzzer drives exactly the code
// that serves traffic.
class ChatRequest {
public:
    static constexpr JsonLimits kBodyLimits = kRequestBodyLimits;

    RouteRequest route;
    nlohmann::json body;             // the client's body without the router's own "routeledger" object
    bool suppressUsageEvent = false; // the router asked a stream for usage that the client did not want

    // Errors carry the OpenAI error code the client sees: `unsupported_media_type` (415), `invalid_json`,
    // `invalid_request` (400).
    static Result<ChatRequest> read(std::string_view contentType, std::string_view body, const ClientIdentity &who,
                                    std::int64_t nowMs);

    // The body for one upstream attempt, with `model` set to the provider's own name for it: the client's members
    // as they were written (only `model`, `routeledger` and, on a stream, `stream_options` are the router's), so a
    // request is not serialized again for each attempt.
    std::string upstreamBody(std::string_view providerModel) const;

private:
    std::string m_forwardedMembers; // the client's other top-level members, in order, joined by commas
    std::string m_streamOptions;    // a stream's `stream_options` as sent upstream; empty when not a stream
};

} // namespace rl

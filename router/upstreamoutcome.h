#pragma once

#include "asioincludes.h"
#include "pricing/tokenusage.h"

#include <optional>
#include <string>
#include <string_view>

namespace rl {

// What one try at one upstream came to: the proxy decides from it whether to fall back, and what to bill.
struct UpstreamOutcome {
    enum class Kind { Ok, Timeout, RateLimited, ServerError, ClientError, Streamed };
    Kind kind = Kind::ServerError;
    int httpStatus = 0;
    std::string detail;    // why it failed, for the ledger and the client's error message
    HttpResponse response; // non-streamed answers, sent when this is the final attempt
    std::optional<TokenUsage> usage;
    bool streamFailed = false; // streamed: the upstream broke off or the client went away
    bool staleConnection = false;
    bool reusable = false;

    // The upstream answered the request (a client error is an answer too: the next model would refuse it alike).
    bool answered() const { return kind == Kind::Ok || kind == Kind::Streamed || kind == Kind::ClientError; }

    // The policy's name for a failure that may fall back; empty for answers.
    std::string_view fallbackReason() const
    {
        switch (kind) {
        case Kind::Timeout: return "timeout";
        case Kind::RateLimited: return "rate_limited";
        case Kind::ServerError: return "server_error";
        default: return {};
        }
    }

    // The attempt's outcome as the ledger records it.
    std::string_view ledgerName() const
    {
        if (kind == Kind::Ok || kind == Kind::Streamed)
            return "ok";
        return kind == Kind::ClientError ? "client_error" : fallbackReason();
    }
};

} // namespace rl

#pragma once

#include "store/usagerecords.h"

#include <cstdint>
#include <string>
#include <vector>

namespace rl {

// One try at one upstream model while serving a request.
struct UpstreamAttempt {
    std::string model;
    std::string outcome; // ok, timeout, rate_limited, server_error, client_error, circuit_open
    int httpStatus = 0;  // 0: no HTTP answer (connect failure, timeout, reset)
    std::int64_t latencyMs = 0;
};

// A request as the router's ledger keeps it: the usage event the app ingests, plus what only the router
// knows about how it was served.
struct LedgerEvent {
    std::int64_t cursor = 0; // the ledger's row id, assigned on commit; monotonic
    UsageEvent usage;
    int httpStatus = 0; // what the client got
    bool stream = false;
    std::int64_t firstByteMs = 0;
    std::vector<UpstreamAttempt> attempts;
    std::string error; // why it failed, for error and blocked requests
    // ClientIdentity::keyId of the client that made it (empty: no known key); only that client may rate it.
    std::string clientKeyId;
};

} // namespace rl

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rl {

// What pushing a policy to one router came to (docs/ROUTER.md, "Pushing policies").
enum class PushOutcome {
    Applied,        // in force on the router and read back identical (or, dry run: it would be)
    Rejected,       // the router refused it: its error lines, a wrong admin token, a too-large document
    Stale,          // the router holds a newer or different policy than the app expected (412 or 409)
    Unreachable,    // no HTTP answer: connection refused, DNS, timeout, TLS
    ReadbackDiffers // the router said 200 but serves something else than what was sent
};

// "applied", "rejected", "stale", "unreachable", "readback_differs".
std::string_view pushOutcomeName(PushOutcome outcome);

// One router to push to. `adminToken` is a secret: it goes into the Authorization header only.
struct PushTarget {
    std::string name;    // the source's name, or the URL for the CLI
    std::string baseUrl; // http(s)://host:port, without /admin
    std::string adminToken;
    std::optional<std::string> expectedEtag; // what the app last installed there; If-Match uses it when set
};

struct PushResult {
    std::string target;
    std::string baseUrl;
    PushOutcome outcome = PushOutcome::Unreachable;
    std::string summary;
    std::vector<std::string> details; // router error lines, or diff lines
    std::optional<std::int64_t> routerVersion;
    std::string routerEtag;
    std::string routerDocument; // canonical, what the router holds after the attempt
    std::int64_t elapsedMs = 0;
};

// What GET /admin/policy returned.
struct RouterPolicyState {
    std::string etag;
    std::int64_t version = 0;
    std::string document; // canonical
};

} // namespace rl

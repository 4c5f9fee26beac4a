#pragma once

#include "error.h"
#include "routerconfig.h"

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rl {

// Who is asking, from the client's API key or (when the config trusts them) the X-RouteLedger-* headers.
struct ClientIdentity {
    std::string team, user, app;
    std::vector<std::string> tags;
    double budgetUsed = 0.0;
    // Which client key made the request: 16 hex digits of the key's SHA-256 (never the key), empty without a
    // known key. Kept on the request's ledger event, so that only the same key can rate it (POST /v1/feedback).
    std::string keyId;
};

// Identifies the client of a chat request from its headers alone, so that a request without a valid key
// is refused before its body is read (an unauthenticated 4 MiB body costs the router nothing).
class ClientIdentifier {
public:
    // A header's value by name ("" when absent); kept free of Beast so the fuzzer can drive it.
    using HeaderLookup = std::function<std::string_view(std::string_view name)>;

    static constexpr std::size_t kKeyIdLength = 16; // hex digits of the key's SHA-256 in ClientIdentity::keyId

    explicit ClientIdentifier(const RouterConfig &config);

    // `missing_api_key` or `invalid_api_key` when the config requires a known key and this is not one.
    Result<ClientIdentity> identify(const HeaderLookup &header) const;

private:
    const RouterConfig &m_config;
    std::unordered_map<std::string, const ClientConfig *> m_clientsByDigest;
};

} // namespace rl

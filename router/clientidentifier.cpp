#include "clientidentifier.h"

#include "bearertoken.h"
#include "digest.h"
#include "httptext.h"
#include "textfile.h"

#include <cstdlib>

namespace rl {

namespace {

std::vector<std::string> commaList(std::string_view text)
{
    std::vector<std::string> out;
    while (!text.empty()) {
        auto comma = text.find(',');
        std::string_view item = trimmedValue(text.substr(0, comma));
        if (!item.empty())
            out.emplace_back(item);
        if (comma == std::string_view::npos)
            break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

} // namespace

ClientIdentifier::ClientIdentifier(const RouterConfig &config) : m_config(config)
{
    for (const ClientConfig &client : config.clients)
        m_clientsByDigest.emplace(client.keySha256, &client);
}

Result<ClientIdentity> ClientIdentifier::identify(const HeaderLookup &header) const
{
    ClientIdentity identity;
    bool known = false;
    const std::string_view key = bearerToken(header("Authorization"));
    if (!key.empty() && !m_clientsByDigest.empty()) {
        const std::string digest = sha256Hex(key);
        auto it = m_clientsByDigest.find(digest);
        if (it != m_clientsByDigest.end()) {
            const ClientConfig &client = *it->second;
            identity.keyId = digest.substr(0, kKeyIdLength);
            identity.team = client.team;
            identity.user = client.user;
            identity.app = client.app;
            identity.tags = client.tags;
            known = true;
        }
    }
    if (!known && m_config.requireClientKey) {
        if (key.empty())
            return Error{"missing_api_key",
                         "No API key: send 'Authorization: Bearer <key>' with a RouteLedger client key "
                         "(ask your admin for one)",
                         false};
        return Error{"invalid_api_key",
                     "This API key is not one the router knows; check the key, or ask your admin to add its "
                     "SHA-256 to the router's clients",
                     false};
    }
    if (m_config.trustIdentityHeaders) {
        // Trusted headers fill in what the key does not say. Header values are bytes; they go on into the
        // ledger and JSON, so only clean UTF-8 is kept.
        auto value = [&](std::string_view name) { return cleanText(trimmedValue(header(name)), 256); };
        if (identity.team.empty())
            identity.team = value("X-RouteLedger-Team");
        if (identity.user.empty())
            identity.user = value("X-RouteLedger-User");
        if (identity.app.empty())
            identity.app = value("X-RouteLedger-App");
        if (identity.tags.empty())
            identity.tags = commaList(cleanText(header("X-RouteLedger-Tags"), 1024));
        const std::string budget = value("X-RouteLedger-Budget-Used");
        if (!budget.empty()) {
            char *end = nullptr;
            const double used = std::strtod(budget.c_str(), &end);
            if (end != nullptr && *end == '\0' && used >= 0 && used < 1000)
                identity.budgetUsed = used;
        }
    }
    return identity;
}

} // namespace rl

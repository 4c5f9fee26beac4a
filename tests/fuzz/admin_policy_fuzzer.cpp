// Feeds arbitrary bytes to what PUT /admin/policy does with a body: validation against the router's
// providers, then the canonical snapshot and ETag of a policy that passes. A refusal must list at least
// one error; an accepted policy must only name models the config serves, and its snapshot must parse back
// to the same document.
#include "policyholder.h"
#include "routerconfig.h"
#include "routing/policyparser.h"
#include "routing/policywriter.h"
#include "servablepolicy.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const rl::RouterConfig config = [] {
        rl::RouterConfig c;
        c.providers.push_back({"anthropic", "http://127.0.0.1:1/v1", "", "", {}, ""});
        c.providers.push_back({"openai", "http://127.0.0.1:2/v1", "", "", {}, ""});
        return c;
    }();
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const rl::PolicyLoad load = rl::parseServablePolicy(text, config);
    if (!load.ok()) {
        if (load.errors.empty())
            std::abort();
        return 0;
    }
    for (const rl::Tier &tier : load.policy->tiers)
        for (const std::string &model : tier.models)
            if (config.providerFor(model) == nullptr)
                std::abort();
    const rl::PolicyHolder::Snapshot snapshot = rl::PolicyHolder::makeSnapshot(load.policy);
    if (snapshot.etag.size() < 4 || snapshot.etag.front() != '"' || snapshot.etag.back() != '"')
        std::abort();
    const rl::PolicyLoad again = rl::PolicyParser::parse(*snapshot.document);
    if (!again.ok() || rl::PolicyWriter::toText(*again.policy) != *snapshot.document)
        std::abort();
    return 0;
}

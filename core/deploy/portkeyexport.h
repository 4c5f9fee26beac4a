#pragma once

#include "deploy/exportresult.h"
#include "routing/policy.h"

#include <nlohmann/json.hpp>

namespace rl {

// A policy as a Portkey gateway config (`@portkey-ai/gateway`; ../shared/reference/gateway-apis.md §5):
// `strategy: {mode: "conditional", conditions, default}` over one named target per tier (a fallback
// strategy over the tier's models in preference order, then the tiers `fallback.across_tiers` names, at most
// `fallback.max_attempts` of them) and one per model a rule pins. Conditions read the request metadata
// clients send in `x-portkey-metadata` (`team`, `app`, `user`, `tier`) and the body (`params.model`,
// `params.stream`); docs/EXPORT.md lists them. A rule Portkey cannot express exactly is left out with a
// warning naming the rule and what is missing.
class PortkeyExport {
public:
    static ExportResult write(const Policy &policy, const nlohmann::json *routerConfig);
    // The config itself (what `write` prints), for tests and for the app.
    static nlohmann::ordered_json document(const Policy &policy, const nlohmann::json *routerConfig,
                                           std::vector<std::string> &warnings, bool &meaningful);
};

} // namespace rl

#pragma once

#include "deploy/exportresult.h"
#include "routing/policy.h"

#include <nlohmann/json.hpp>

namespace rl {

// A policy as a LiteLLM proxy config (config.yaml: `model_list` and `router_settings`;
// ../shared/reference/gateway-apis.md §1.7). Each tier is a model group holding its models as deployments
// (`order` keeps the preference order), the tiers fall back to each other as `fallback.across_tiers` says,
// `auto` is an alias of the default tier, and rules that test only the requested model become aliases.
// Everything else LiteLLM's router config cannot express is left out with a warning naming it.
class LiteLlmExport {
public:
    static ExportResult write(const Policy &policy, const nlohmann::json *routerConfig);
    // The config as JSON (what `write` prints as YAML), for tests and for the app.
    static nlohmann::ordered_json document(const Policy &policy, const nlohmann::json *routerConfig,
                                           std::vector<std::string> &warnings, bool &meaningful);
};

} // namespace rl

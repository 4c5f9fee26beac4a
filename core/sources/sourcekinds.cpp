#include "sources/sourcekinds.h"

#include "sources/anthropiccostconnector.h"
#include "sources/anthropicusageconnector.h"
#include "sources/litellmdailyactivityconnector.h"
#include "sources/litellmspendlogsconnector.h"
#include "sources/openaicostsconnector.h"
#include "sources/openaiusageconnector.h"
#include "sources/openrouteractivityconnector.h"
#include "sources/routerusageconnector.h"
#include "sources/sourcecredential.h"

#include <nlohmann/json.hpp>

namespace rl {

using nlohmann::json;

const std::vector<SourceKindInfo> &SourceKinds::all()
{
    static const std::vector<SourceKindInfo> kinds = {
        {"router", "RouteLedger router", "http://127.0.0.1:8080", "Admin token",
         "Every request the router served, with its routing decision (GET /admin/usage)."},
        {"litellm", "LiteLLM proxy", "http://127.0.0.1:4000", "Master or admin key (sk-…)",
         "Every request from the proxy's spend logs (or, lighter, its daily activity per team or tag), with "
         "LiteLLM's own cost beside the catalog's."},
        {"openai", "OpenAI organization", "https://api.openai.com/v1", "Admin key (sk-admin-…)",
         "Hourly usage per project, model and key, and OpenAI's daily costs (Usage and Costs APIs)."},
        {"anthropic", "Anthropic organization", "https://api.anthropic.com", "Admin key (sk-ant-admin…)",
         "Hourly usage per workspace, model and key, and Anthropic's daily cost report."},
        {"openrouter", "OpenRouter account", "https://openrouter.ai", "Management key",
         "Daily activity per model with what OpenRouter charged."},
    };
    return kinds;
}

const SourceKindInfo *SourceKinds::find(std::string_view id)
{
    for (const SourceKindInfo &kind : all())
        if (kind.id == id)
            return &kind;
    return nullptr;
}

std::vector<std::string> SourceKinds::problems(const SourceSettings &settings, bool hasSecret)
{
    std::vector<std::string> out;
    if (settings.name.empty())
        out.emplace_back("Give the source a name.");
    if (settings.name.find(" (") != std::string::npos)
        out.emplace_back("A source name cannot contain \" (\": RouteLedger uses it to name the source's parts.");
    if (!find(settings.kind)) {
        std::string ids;
        for (const SourceKindInfo &kind : all())
            ids += (ids.empty() ? "" : ", ") + kind.id;
        out.push_back("Unknown source type \"" + settings.kind + "\": use one of " + ids + ".");
    }
    const std::string &url = settings.baseUrl;
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
        out.push_back("The URL must start with http:// or https:// (it was \"" + url + "\").");
    else if (url.find_first_of(" \t\r\n") != std::string::npos)
        out.emplace_back("The URL contains spaces: remove them.");
    if (settings.intervalS < 10 || settings.intervalS > 86'400)
        out.push_back("Poll between every 10 seconds and once a day (86400 s); the interval was "
                      + std::to_string(settings.intervalS) + " s.");
    const json options = json::parse(settings.options.empty() ? std::string("{}") : settings.options, nullptr, false);
    if (options.is_discarded() || !options.is_object())
        out.emplace_back("The source's options are not a JSON object.");
    else if (settings.kind == "litellm" && options.contains("read")
             && (!options["read"].is_string()
                 || (options["read"] != "spend_logs" && options["read"] != "team_activity"
                     && options["read"] != "tag_activity")))
        out.emplace_back("A LiteLLM source reads spend_logs, team_activity or tag_activity.");
    if (options.is_object() && options.contains(SourceCredential::kOption)) {
        const json &variable = options[SourceCredential::kOption];
        if (!variable.is_string() || !SourceCredential::isVariableName(variable.get<std::string>()))
            out.push_back("The key's environment variable " + variable.dump()
                          + " is not a valid name: use letters, digits and _, not starting with a digit (e.g. "
                            "OPENAI_ADMIN_KEY).");
    }
    if (!hasSecret)
        out.emplace_back("Enter the source's credential: it is stored in the OS keychain, never in the store.");
    return out;
}

Result<std::vector<std::unique_ptr<UsageConnector>>> SourceKinds::connectors(const SourceSettings &settings,
                                                                             const std::string &secret,
                                                                             HttpClient &http, const Pricing &pricing)
{
    std::vector<std::unique_ptr<UsageConnector>> out;
    const json options = json::parse(settings.options.empty() ? std::string("{}") : settings.options, nullptr, false);
    auto optionInt = [&](const char *key, std::int64_t fallback) {
        if (options.is_object() && options.contains(key) && options[key].is_number_integer())
            return options[key].get<std::int64_t>();
        return fallback;
    };
    auto optionText = [&](const char *key, const char *fallback) {
        if (options.is_object() && options.contains(key) && options[key].is_string())
            return options[key].get<std::string>();
        return std::string(fallback);
    };
    const std::int64_t firstMs = optionInt("first_ms", 0);
    const std::string &name = settings.name;
    const std::string &url = settings.baseUrl;
    if (settings.kind == "router") {
        out.push_back(std::make_unique<RouterUsageConnector>(
            http, name, url, secret,
            static_cast<std::size_t>(optionInt("page_size", RouterUsageConnector::kDefaultPageSize))));
    } else if (settings.kind == "litellm") {
        // Spend logs (per request) or daily activity (per team or tag and day): one of them, never both,
        // as they describe the same traffic.
        const std::string read = optionText("read", "spend_logs");
        if (read == "team_activity" || read == "tag_activity") {
            LiteLlmDailyActivityConnector::Options o;
            o.firstMs = firstMs;
            o.dimension = read == "tag_activity" ? LiteLlmDailyActivityConnector::Dimension::Tag
                                                 : LiteLlmDailyActivityConnector::Dimension::Team;
            out.push_back(std::make_unique<LiteLlmDailyActivityConnector>(http, pricing, name, url, secret, o));
        } else {
            LiteLlmSpendLogsConnector::Options o;
            o.firstWindowMs = firstMs;
            out.push_back(std::make_unique<LiteLlmSpendLogsConnector>(http, pricing, name, url, secret, o));
        }
    } else if (settings.kind == "openai") {
        OpenAiUsageConnector::Options usage;
        usage.firstMs = firstMs;
        out.push_back(std::make_unique<OpenAiUsageConnector>(http, pricing, name, url, secret, usage));
        OpenAiCostsConnector::Options costs;
        costs.firstMs = firstMs;
        out.push_back(std::make_unique<OpenAiCostsConnector>(http, name + " (costs)", url, secret, costs));
    } else if (settings.kind == "anthropic") {
        AnthropicUsageConnector::Options usage;
        usage.firstMs = firstMs;
        out.push_back(std::make_unique<AnthropicUsageConnector>(http, pricing, name, url, secret, usage));
        AnthropicCostConnector::Options costs;
        costs.firstMs = firstMs;
        out.push_back(std::make_unique<AnthropicCostConnector>(http, name + " (costs)", url, secret, costs));
    } else if (settings.kind == "openrouter") {
        OpenRouterActivityConnector::Options o;
        o.firstMs = firstMs;
        out.push_back(std::make_unique<OpenRouterActivityConnector>(http, pricing, name, url, secret, o));
    } else {
        return Error{"source.unknown_kind",
                     "Source \"" + name + "\" has the unknown type \"" + settings.kind
                         + "\" (written by a newer RouteLedger?): remove it or edit its type.",
                     false};
    }
    return out;
}

} // namespace rl

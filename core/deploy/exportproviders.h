#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rl {

// Where a provider of the policy's model ids (`provider/name`) is reached, as the exports write it: from
// the router config's `providers` (DESIGN.md §3.4; every router provider speaks the OpenAI chat API at its
// base_url), or a placeholder when the config is absent or does not list the provider (the export writes
// and reports its own placeholders: `${OPENAI_API_KEY}`, `os.environ/DEEPSEEK_API_KEY`).
struct ProviderEndpoint {
    std::string name;
    bool fromConfig = false;
    std::string baseUrl;         // from the config; empty for a placeholder
    std::string apiKeyEnv;       // the variable holding the key; empty: the router sends no key
    bool officialOpenAi() const; // base_url on api.openai.com (or a placeholder for provider `openai`)
};

class ExportProviders {
public:
    // Problems in the router config's `providers` go into `warnings`.
    ExportProviders(const nlohmann::json *routerConfig, std::vector<std::string> &warnings);

    bool haveConfig() const { return m_haveConfig; }
    // `firstPlaceholder` is set to true the first time a provider without a config entry is asked for.
    const ProviderEndpoint &provider(std::string_view providerName, bool *firstPlaceholder = nullptr);

    // OPENAI_API_KEY for `openai`, TOGETHER_AI_API_KEY for `together_ai`.
    static std::string placeholderVariable(std::string_view providerName, std::string_view suffix);

private:
    std::map<std::string, ProviderEndpoint, std::less<>> m_configured;
    std::map<std::string, ProviderEndpoint, std::less<>> m_placeholders;
    bool m_haveConfig = false;
    std::vector<std::string> &m_warnings;
};

} // namespace rl

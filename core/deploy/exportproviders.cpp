#include "deploy/exportproviders.h"

#include <cctype>

namespace rl {

bool ProviderEndpoint::officialOpenAi() const
{
    if (!fromConfig)
        return name == "openai";
    const std::string_view url = baseUrl;
    for (std::string_view prefix : {"https://api.openai.com/", "https://api.openai.com"})
        if (url.rfind(prefix, 0) == 0 && (url.size() == prefix.size() || prefix.back() == '/'))
            return true;
    return false;
}

ExportProviders::ExportProviders(const nlohmann::json *routerConfig, std::vector<std::string> &warnings)
    : m_warnings(warnings)
{
    if (routerConfig == nullptr)
        return;
    m_haveConfig = true;
    auto providers = routerConfig->find("providers");
    if (!routerConfig->is_object() || providers == routerConfig->end() || !providers->is_array()) {
        m_warnings.push_back("router config: no `providers` list; every provider gets placeholders");
        return;
    }
    for (std::size_t i = 0; i < providers->size(); ++i) {
        const nlohmann::json &entry = (*providers)[i];
        auto text = [&](const char *key) {
            auto it = entry.is_object() ? entry.find(key) : entry.end();
            return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        ProviderEndpoint endpoint;
        endpoint.name = text("name");
        endpoint.baseUrl = text("base_url");
        endpoint.apiKeyEnv = text("api_key_env");
        endpoint.fromConfig = true;
        if (endpoint.name.empty() || endpoint.baseUrl.empty()) {
            m_warnings.push_back("router config: providers/" + std::to_string(i)
                                 + " has no name or base_url; it is not used");
            continue;
        }
        m_configured.emplace(endpoint.name, std::move(endpoint));
    }
}

std::string ExportProviders::placeholderVariable(std::string_view providerName, std::string_view suffix)
{
    std::string out;
    for (char c : providerName)
        out += std::isalnum(static_cast<unsigned char>(c))
                   ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                   : '_';
    out += '_';
    out += suffix;
    return out;
}

const ProviderEndpoint &ExportProviders::provider(std::string_view providerName, bool *firstPlaceholder)
{
    if (firstPlaceholder != nullptr)
        *firstPlaceholder = false;
    if (auto it = m_configured.find(providerName); it != m_configured.end())
        return it->second;
    if (auto it = m_placeholders.find(providerName); it != m_placeholders.end())
        return it->second;
    if (firstPlaceholder != nullptr)
        *firstPlaceholder = true;
    ProviderEndpoint endpoint;
    endpoint.name = std::string(providerName);
    endpoint.apiKeyEnv = placeholderVariable(providerName, "API_KEY");
    return m_placeholders.emplace(endpoint.name, std::move(endpoint)).first->second;
}

} // namespace rl

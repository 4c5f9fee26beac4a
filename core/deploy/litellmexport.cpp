#include "deploy/litellmexport.h"

#include "deploy/exportproviders.h"
#include "deploy/yamlwriter.h"

#include <algorithm>
#include <optional>

namespace rl {

namespace {

using json = nlohmann::ordered_json;

void addMissing(std::vector<std::string> &missing, std::string feature)
{
    if (std::find(missing.begin(), missing.end(), feature) == missing.end())
        missing.push_back(std::move(feature));
}

// Every test a condition makes, for the warning of a rule LiteLLM cannot express.
void collectTests(const Condition &condition, std::vector<std::string> &out)
{
    if (condition.kind != Condition::Kind::Leaf) {
        if (condition.kind == Condition::Kind::Not)
            addMissing(out, "`not`");
        for (const Condition &child : condition.children)
            collectTests(child, out);
        return;
    }
    const std::string field(fieldName(condition.field));
    if (condition.field == Field::Prompt || condition.field == Field::RequestedModel)
        addMissing(out, "`" + field + " " + std::string(opName(condition.op)) + "`");
    else
        addMissing(out, "`" + field + "`");
}

// The requested model names a rule matches when its condition is only `requested_model eq|in` (or an `any`
// of them): LiteLLM can send those names elsewhere with model_group_alias. nullopt otherwise.
std::optional<std::vector<std::string>> requestedNames(const Condition &condition)
{
    if (condition.kind == Condition::Kind::Leaf) {
        if (condition.field != Field::RequestedModel || (condition.op != Op::Eq && condition.op != Op::In))
            return std::nullopt;
        return condition.texts;
    }
    if (condition.kind == Condition::Kind::Not || condition.children.empty()
        || (condition.kind == Condition::Kind::All && condition.children.size() != 1))
        return std::nullopt;
    std::vector<std::string> names;
    for (const Condition &child : condition.children) {
        std::optional<std::vector<std::string>> part = requestedNames(child);
        if (!part)
            return std::nullopt;
        names.insert(names.end(), part->begin(), part->end());
    }
    return names;
}

class Writer {
public:
    Writer(const Policy &policy, const nlohmann::json *routerConfig, std::vector<std::string> &warnings)
        : m_policy(policy), m_warnings(warnings), m_providers(routerConfig, warnings)
    {}

    json document(bool &meaningful)
    {
        for (const Tier &tier : m_policy.tiers)
            m_groups.push_back(tier.name);
        m_groups.push_back("auto");

        // Rules first: they decide which extra groups (pinned models) and aliases there are.
        int exportedRules = 0;
        int enabledRules = 0;
        json aliases = json::object();
        std::vector<std::pair<std::string, int>> pinned; // model id, its tier or -1
        for (const Rule &rule : m_policy.rules) {
            if (!rule.enabled)
                continue;
            ++enabledRules;
            std::optional<std::vector<std::string>> names = requestedNames(rule.when);
            std::vector<std::string> reasons;
            if (!names) {
                std::vector<std::string> tests;
                collectTests(rule.when, tests);
                std::string list;
                for (const std::string &test : tests)
                    list += (list.empty() ? "" : ", ") + test;
                reasons.push_back("LiteLLM's router config cannot route on " + list
                                  + " (only on the requested model name)");
            }
            if (rule.then.kind == RuleAction::Kind::Block)
                reasons.push_back(std::string(reasons.empty() ? "LiteLLM" : "it") + " cannot block requests (\""
                                  + rule.then.value + "\")");
            if (!reasons.empty()) {
                std::string line = "rule `" + rule.id + "` left out: " + reasons.front();
                for (std::size_t i = 1; i < reasons.size(); ++i)
                    line += " and " + reasons[i];
                m_warnings.push_back(line + "; the requests it catches go to the model group they name");
                continue;
            }
            std::string group;
            if (rule.then.kind == RuleAction::Kind::Tier) {
                group = m_policy.tiers[static_cast<std::size_t>(rule.then.tierIndex)].name;
            } else {
                group = rule.then.value;
                if (std::find_if(pinned.begin(), pinned.end(), [&](const auto &p) { return p.first == group; })
                    == pinned.end()) {
                    pinned.emplace_back(group, rule.then.tierIndex);
                    m_groups.push_back(group);
                }
            }
            bool any = false;
            for (const std::string &name : *names) {
                if (aliases.contains(name))
                    continue; // an earlier rule already takes this name, as it does in the router
                if (name == group) {
                    any = true; // the pinned model's own group answers to its name
                    continue;
                }
                if (std::find(m_groups.begin(), m_groups.end(), name) != m_groups.end()) {
                    m_warnings.push_back("rule `" + rule.id + "`: \"" + name
                                         + "\" is a model group of the export; LiteLLM would not apply an alias for "
                                           "it, so that name is left out");
                    continue;
                }
                aliases[name] = group;
                any = true;
            }
            if (any)
                ++exportedRules;
        }
        if (!aliases.contains("auto"))
            aliases["auto"] = m_policy.defaultTierName;

        json models = json::array();
        for (const Tier &tier : m_policy.tiers)
            for (std::size_t i = 0; i < tier.models.size(); ++i)
                models.push_back(deployment(tier.name, tier.models[i], static_cast<int>(i) + 1, tier.name));
        for (const auto &[model, tier] : pinned)
            models.push_back(
                deployment(model, model, 0, tier >= 0 ? m_policy.tiers[static_cast<std::size_t>(tier)].name : ""));

        json settings;
        settings["routing_strategy"] = "simple-shuffle"; // `order` picks within a group under it
        settings["num_retries"] = std::max(0, m_policy.fallback.maxAttempts - 1);
        json fallbacks = json::array();
        const int count = static_cast<int>(m_policy.tiers.size());
        auto fallbackGroups = [&](int tier) {
            json list = json::array();
            if (m_policy.fallback.acrossTiers == "down")
                for (int t = tier + 1; t < count; ++t)
                    list.push_back(m_policy.tiers[static_cast<std::size_t>(t)].name);
            else if (m_policy.fallback.acrossTiers == "up")
                for (int t = tier - 1; t >= 0; --t)
                    list.push_back(m_policy.tiers[static_cast<std::size_t>(t)].name);
            return list;
        };
        if (!m_policy.fallback.on.empty()) {
            for (int t = 0; t < count; ++t)
                if (json list = fallbackGroups(t); !list.empty())
                    fallbacks.push_back({{m_policy.tiers[static_cast<std::size_t>(t)].name, std::move(list)}});
            for (const auto &[model, tier] : pinned)
                if (tier >= 0) {
                    json list = json::array({m_policy.tiers[static_cast<std::size_t>(tier)].name});
                    for (json &name : fallbackGroups(tier))
                        list.push_back(std::move(name));
                    fallbacks.push_back({{model, std::move(list)}});
                }
        }
        if (!fallbacks.empty())
            settings["fallbacks"] = std::move(fallbacks);
        settings["model_group_alias"] = std::move(aliases);
        const auto &on = m_policy.fallback.on;
        auto has = [&](const char *reason) { return std::find(on.begin(), on.end(), reason) != on.end(); };
        if (!(has("timeout") && has("rate_limited") && has("server_error"))) {
            const int retries = std::max(0, m_policy.fallback.maxAttempts - 1);
            json policyPerGroup = json::object();
            for (const std::string &group : m_groups) {
                if (group == "auto")
                    continue;
                policyPerGroup[group] = {{"TimeoutErrorRetries", has("timeout") ? retries : 0},
                                         {"RateLimitErrorRetries", has("rate_limited") ? retries : 0},
                                         {"InternalServerErrorRetries", has("server_error") ? retries : 0}};
            }
            settings["model_group_retry_policy"] = std::move(policyPerGroup);
            if (settings.contains("fallbacks"))
                m_warnings.push_back("fallback.on: LiteLLM falls back to the next tier's group after any failure, "
                                     "not only after the policy's kinds; only its retries follow them");
        }

        m_warnings.push_back("fallback.max_attempts " + std::to_string(m_policy.fallback.maxAttempts)
                             + " is approximate: LiteLLM retries within a model group (num_retries "
                             + std::to_string(std::max(0, m_policy.fallback.maxAttempts - 1))
                             + ") and then tries each fallback group");
        m_warnings.push_back("requests naming a model that is not a model group here (a tier's model such as \""
                             + m_policy.tiers.front().models.front()
                             + "\", or an unknown one) are refused by LiteLLM, where the router serves them "
                               "(that model, or the default tier `"
                             + m_policy.defaultTierName + "`)");
        if (!m_policy.budgetGuard.empty())
            m_warnings.push_back("budget guard left out (" + std::to_string(m_policy.budgetGuard.size())
                                 + (m_policy.budgetGuard.size() == 1 ? " step" : " steps")
                                 + "): LiteLLM's router does not change tiers as budgets run out");
        if (!m_policy.budgets.empty())
            m_warnings.push_back("budgets left out (" + std::to_string(m_policy.budgets.size())
                                 + "): set them as LiteLLM team budgets (max_budget, budget_duration), which refuse "
                                   "requests at the limit");

        meaningful =
            exportedRules > 0 || m_policy.tiers.size() > 1 || (enabledRules == 0 && m_policy.budgetGuard.empty());
        json config;
        config["model_list"] = std::move(models);
        config["router_settings"] = std::move(settings);
        return config;
    }

private:
    json deployment(const std::string &group, const std::string &model, int order, const std::string &tier)
    {
        const std::size_t slash = model.find('/');
        const std::string providerName = model.substr(0, slash);
        const std::string name = model.substr(slash + 1);
        bool first = false;
        const ProviderEndpoint &endpoint = m_providers.provider(providerName, &first);
        json params;
        if (endpoint.fromConfig) {
            // The router speaks the OpenAI chat API to every provider's base_url: so does LiteLLM's `openai/`.
            params["model"] = "openai/" + name;
            if (!endpoint.officialOpenAi()) {
                std::string base = endpoint.baseUrl;
                while (!base.empty() && base.back() == '/')
                    base.pop_back();
                params["api_base"] = base;
            }
            params["api_key"] = endpoint.apiKeyEnv.empty() ? std::string("none") : "os.environ/" + endpoint.apiKeyEnv;
        } else {
            params["model"] = model; // the price catalog's ids are LiteLLM's own provider/model names
            params["api_key"] = "os.environ/" + endpoint.apiKeyEnv;
            if (first)
                m_warnings.push_back(
                    "provider `" + providerName + "`: "
                    + (m_providers.haveConfig() ? "not in the router config" : "no router config (--router-config)")
                    + ", so LiteLLM calls it as its own `" + providerName
                    + "` provider at its default URL with the key in os.environ/" + endpoint.apiKeyEnv
                    + " (a placeholder); check both");
        }
        if (order > 0)
            params["order"] = order;
        json entry{{"model_name", group}, {"litellm_params", std::move(params)}};
        if (!tier.empty())
            entry["model_info"] = {{"tier", tier}};
        return entry;
    }

    const Policy &m_policy;
    std::vector<std::string> &m_warnings;
    ExportProviders m_providers;
    std::vector<std::string> m_groups;
};

} // namespace

nlohmann::ordered_json LiteLlmExport::document(const Policy &policy, const nlohmann::json *routerConfig,
                                               std::vector<std::string> &warnings, bool &meaningful)
{
    Writer writer(policy, routerConfig, warnings);
    return writer.document(meaningful);
}

ExportResult LiteLlmExport::write(const Policy &policy, const nlohmann::json *routerConfig)
{
    ExportResult result;
    const json config = document(policy, routerConfig, result.warnings, result.meaningful);
    std::vector<std::string> comments{"LiteLLM proxy config exported by RouteLedger from policy \"" + policy.name
                                      + "\" version " + std::to_string(policy.version) + " (docs/EXPORT.md)."};
    if (!result.warnings.empty()) {
        comments.push_back("Not expressed in LiteLLM's config:");
        for (const std::string &warning : result.warnings)
            comments.push_back("  - " + warning);
    }
    result.text = YamlWriter::write(config, comments);
    return result;
}

} // namespace rl

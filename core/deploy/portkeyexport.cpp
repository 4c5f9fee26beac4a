#include "deploy/portkeyexport.h"

#include "deploy/exportproviders.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <optional>
#include <set>
#include <utility>

namespace rl {

namespace {

using json = nlohmann::ordered_json;

// Providers of the price catalog's ids that Portkey serves natively (its provider ids differ in places).
constexpr std::array<std::pair<std::string_view, std::string_view>, 15> kNativeProviders = {{
    {"openai", "openai"},
    {"anthropic", "anthropic"},
    {"deepseek", "deepseek"},
    {"groq", "groq"},
    {"mistral", "mistral-ai"},
    {"mistral-ai", "mistral-ai"},
    {"together_ai", "together-ai"},
    {"together-ai", "together-ai"},
    {"openrouter", "openrouter"},
    {"xai", "x-ai"},
    {"x-ai", "x-ai"},
    {"cohere", "cohere"},
    {"perplexity", "perplexity-ai"},
    {"fireworks_ai", "fireworks-ai"},
    {"cerebras", "cerebras"},
}};

std::string_view nativeProvider(std::string_view name)
{
    for (const auto &[catalog, portkey] : kNativeProviders)
        if (catalog == name)
            return portkey;
    return {};
}

std::string quotedList(const std::vector<std::string> &items)
{
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i)
        out += (i == 0 ? "" : ", ") + items[i];
    return out;
}

void addMissing(std::vector<std::string> &missing, std::string feature)
{
    if (std::find(missing.begin(), missing.end(), feature) == missing.end())
        missing.push_back(std::move(feature));
}

std::string escapeRegex(std::string_view literal)
{
    std::string out;
    for (char c : literal) {
        if (std::string_view("\\^$.|?*+()[]{}/").find(c) != std::string_view::npos)
            out += '\\';
        out += c;
    }
    return out;
}

// The condition as a Portkey query (conditionalRouter.ts: $eq $ne $gt $gte $lt $lte $in $nin $regex, $and
// and $or; no $not, so a `not` is pushed down to the leaves). nullopt, with what is missing in `missing`, when
// it cannot be expressed exactly. Every query object has one key: the gateway returns from the first `$and`
// or `$or` it meets and ignores the object's other keys.
std::optional<json> toQuery(const Condition &condition, bool negate, std::vector<std::string> &missing)
{
    switch (condition.kind) {
    case Condition::Kind::Not: return toQuery(condition.children.front(), !negate, missing);
    case Condition::Kind::All:
    case Condition::Kind::Any: {
        const bool conjunction = (condition.kind == Condition::Kind::All) != negate;
        json parts = json::array();
        bool ok = true;
        for (const Condition &child : condition.children) {
            std::optional<json> part = toQuery(child, negate, missing);
            if (!part)
                ok = false;
            else
                parts.push_back(std::move(*part));
        }
        if (!ok)
            return std::nullopt;
        if (parts.size() == 1)
            return parts.front();
        return json{{conjunction ? "$and" : "$or", std::move(parts)}}; // empty: $and holds, $or does not
    }
    case Condition::Kind::Leaf: break;
    }

    const std::string field(fieldName(condition.field));
    const std::string test = "`" + field + " " + std::string(opName(condition.op)) + "`";
    switch (condition.field) {
    case Field::Team:
    case Field::User:
    case Field::App:
    case Field::RequestedModel: {
        const std::string key = condition.field == Field::RequestedModel ? "params.model" : "metadata." + field;
        // An absent value is "" to the policy but undefined to the gateway: a test involving "" differs.
        if (std::any_of(condition.texts.begin(), condition.texts.end(),
                        [](const std::string &t) { return t.empty(); })) {
            addMissing(missing, "an empty " + field);
            return std::nullopt;
        }
        Op op = condition.op;
        if (negate) {
            switch (op) {
            case Op::Eq: op = Op::Ne; break;
            case Op::Ne: op = Op::Eq; break;
            case Op::In: op = Op::NotIn; break;
            case Op::NotIn: op = Op::In; break;
            default: addMissing(missing, "`not` around " + test); return std::nullopt;
            }
        }
        switch (op) {
        case Op::Eq: return json{{key, {{"$eq", condition.texts.front()}}}};
        case Op::Ne: return json{{key, {{"$ne", condition.texts.front()}}}};
        case Op::In: return json{{key, {{"$in", condition.texts}}}};
        case Op::NotIn: return json{{key, {{"$nin", condition.texts}}}};
        case Op::Contains:
            // The gateway tests a regex against String(value): an absent value reads "undefined".
            if (std::string_view("undefined").find(condition.texts.front()) == std::string_view::npos)
                return json{{key, {{"$regex", escapeRegex(condition.texts.front())}}}};
            addMissing(missing, test + " \"" + condition.texts.front() + "\"");
            return std::nullopt;
        default: addMissing(missing, test + " (RE2 and JavaScript regexes differ)"); return std::nullopt;
        }
    }
    case Field::Stream: {
        // The request's `stream` is true only when the body says true; anything else reads false.
        bool wanted = condition.op == Op::Eq ? condition.boolean : !condition.boolean;
        if (negate)
            wanted = !wanted;
        return json{{"params.stream", {{wanted ? "$eq" : "$ne", true}}}};
    }
    case Field::Prompt: addMissing(missing, test); return std::nullopt;
    default: addMissing(missing, "`" + field + "`"); return std::nullopt;
    }
}

class Writer {
public:
    Writer(const Policy &policy, const nlohmann::json *routerConfig, std::vector<std::string> &warnings)
        : m_policy(policy), m_warnings(warnings), m_providers(routerConfig, warnings)
    {}

    json document(bool &meaningful)
    {
        json conditions = json::array();
        int exportedRules = 0;
        int enabledRules = 0;
        for (const Rule &rule : m_policy.rules) {
            if (!rule.enabled)
                continue;
            ++enabledRules;
            std::vector<std::string> missing;
            std::optional<json> query = toQuery(rule.when, false, missing);
            std::vector<std::string> reasons;
            if (!missing.empty())
                reasons.push_back("Portkey cannot test " + quotedList(missing));
            if (rule.then.kind == RuleAction::Kind::Block)
                reasons.push_back(std::string(reasons.empty() ? "Portkey" : "it") + " cannot block requests (\""
                                  + rule.then.value + "\")");
            if (!reasons.empty()) {
                std::string line = "rule `" + rule.id + "` left out: " + reasons.front();
                for (std::size_t i = 1; i < reasons.size(); ++i)
                    line += " and " + reasons[i];
                m_warnings.push_back(line + "; the requests it catches go on to the later rules");
                continue;
            }
            const std::string target = rule.then.kind == RuleAction::Kind::Tier
                                           ? m_policy.tiers[static_cast<std::size_t>(rule.then.tierIndex)].name
                                           : pinnedTarget(rule.then.value, rule.then.tierIndex);
            conditions.push_back({{"query", std::move(*query)}, {"then", target}});
            ++exportedRules;
        }
        for (const Tier &tier : m_policy.tiers)
            conditions.push_back({{"query",
                                   {{"$or", json::array({json{{"metadata.tier", {{"$eq", tier.name}}}},
                                                         json{{"params.model", {{"$eq", tier.name}}}}})}}},
                                  {"then", tier.name}});

        json targets = json::array();
        for (std::size_t i = 0; i < m_policy.tiers.size(); ++i) {
            const Tier &tier = m_policy.tiers[i];
            targets.push_back(fallbackTarget(tier.name, tier.models.front(), static_cast<int>(i)));
        }
        for (json &pinned : m_pinned)
            targets.push_back(std::move(pinned));

        m_warnings.push_back("requests naming one of a tier's models (\"" + m_policy.tiers.front().models.front()
                             + "\") go to the default tier `" + m_policy.defaultTierName
                             + "`: Portkey's conditions only pick tiers and the models rules pin");
        if (!m_policy.budgetGuard.empty())
            m_warnings.push_back("budget guard left out (" + std::to_string(m_policy.budgetGuard.size())
                                 + (m_policy.budgetGuard.size() == 1 ? " step" : " steps")
                                 + "): the Portkey gateway does not know a team's budget use");
        if (!m_policy.budgets.empty())
            m_warnings.push_back("budgets left out (" + std::to_string(m_policy.budgets.size())
                                 + "): the open-source Portkey gateway has no budgets");

        meaningful =
            exportedRules > 0 || m_policy.tiers.size() > 1 || (enabledRules == 0 && m_policy.budgetGuard.empty());
        json config;
        config["strategy"] = {
            {"mode", "conditional"}, {"conditions", std::move(conditions)}, {"default", m_policy.defaultTierName}};
        config["targets"] = std::move(targets);
        return config;
    }

private:
    // The router's candidates for `model` in `tier` (router/chatproxy.cpp): the model, the rest of its tier,
    // then the tiers `across_tiers` names, at most max_attempts of them (one when nothing falls back).
    std::vector<std::string> candidates(const std::string &model, int tier) const
    {
        std::vector<std::string> out{model};
        auto addTier = [&](int index) {
            for (const std::string &m : m_policy.tiers[static_cast<std::size_t>(index)].models)
                if (std::find(out.begin(), out.end(), m) == out.end())
                    out.push_back(m);
        };
        if (tier >= 0) {
            addTier(tier);
            const int count = static_cast<int>(m_policy.tiers.size());
            if (m_policy.fallback.acrossTiers == "down")
                for (int t = tier + 1; t < count; ++t)
                    addTier(t);
            else if (m_policy.fallback.acrossTiers == "up")
                for (int t = tier - 1; t >= 0; --t)
                    addTier(t);
        }
        const std::size_t limit =
            m_policy.fallback.on.empty() ? 1 : static_cast<std::size_t>(std::max(1, m_policy.fallback.maxAttempts));
        if (out.size() > limit)
            out.resize(limit);
        return out;
    }

    json onStatusCodes() const
    {
        std::set<int> codes;
        for (const std::string &reason : m_policy.fallback.on) {
            if (reason == "timeout")
                codes.insert({408, 504});
            else if (reason == "rate_limited")
                codes.insert(429);
            else if (reason == "server_error")
                codes.insert({500, 502, 503, 504});
        }
        return json(std::vector<int>(codes.begin(), codes.end()));
    }

    json modelTarget(const std::string &model)
    {
        const std::size_t slash = model.find('/');
        const std::string providerName = model.substr(0, slash);
        bool first = false;
        const ProviderEndpoint &endpoint = m_providers.provider(providerName, &first);
        const std::string key = endpoint.apiKeyEnv.empty() ? std::string("none") : "${" + endpoint.apiKeyEnv + "}";
        json target;
        if (endpoint.fromConfig) {
            target["provider"] = "openai"; // every router provider speaks the OpenAI chat API at its base_url
            target["api_key"] = key;
            if (!endpoint.officialOpenAi()) {
                std::string host = endpoint.baseUrl;
                while (!host.empty() && host.back() == '/')
                    host.pop_back();
                target["custom_host"] = host;
                if (untrustedByDefault(host) && m_warnedHosts.insert(providerName).second)
                    m_warnings.push_back("provider `" + providerName + "`: the Portkey gateway refuses the custom host "
                                         + host
                                         + " (a private address or local name) unless TRUSTED_CUSTOM_HOSTS "
                                           "lists it when the gateway starts");
            }
        } else if (std::string_view native = nativeProvider(providerName); !native.empty()) {
            target["provider"] = std::string(native);
            target["api_key"] = key;
            if (first)
                m_warnings.push_back("provider `" + providerName + "`: " + placeholderWhy() + ", so it is Portkey's `"
                                     + std::string(native) + "` provider with the api_key " + key
                                     + "; replace the placeholder (envsubst)");
        } else {
            const std::string host = "${" + ExportProviders::placeholderVariable(providerName, "BASE_URL") + "}";
            target["provider"] = "openai";
            target["api_key"] = key;
            target["custom_host"] = host;
            if (first)
                m_warnings.push_back("provider `" + providerName + "`: " + placeholderWhy()
                                     + ", so it is an OpenAI-compatible provider with the placeholders " + key + " and "
                                     + host + "; replace them (envsubst)");
        }
        target["override_params"] = {{"model", model.substr(slash + 1)}};
        return target;
    }

    std::string placeholderWhy() const
    {
        return m_providers.haveConfig() ? "not in the router config" : "no router config (--router-config)";
    }

    json fallbackTarget(const std::string &name, const std::string &model, int tier)
    {
        json target;
        target["name"] = name;
        target["strategy"] = {{"mode", "fallback"}, {"on_status_codes", onStatusCodes()}};
        json list = json::array();
        for (const std::string &candidate : candidates(model, tier))
            list.push_back(modelTarget(candidate));
        target["targets"] = std::move(list);
        return target;
    }

    // The target of a rule's `{"model": M}`, named M (tier names have no '/', so the names cannot clash).
    std::string pinnedTarget(const std::string &model, int tier)
    {
        if (std::find(m_pinnedNames.begin(), m_pinnedNames.end(), model) == m_pinnedNames.end()) {
            m_pinnedNames.push_back(model);
            if (tier >= 0) {
                m_pinned.push_back(fallbackTarget(model, model, tier));
            } else {
                json target{{"name", model}};
                target.update(modelTarget(model));
                m_pinned.push_back(std::move(target));
            }
        }
        return model;
    }

    // The gateway's custom-host check (TRUSTED_CUSTOM_HOSTS, by default localhost, 127.0.0.1, ::1 and
    // host.docker.internal) refuses private IPv4 ranges and local-only names.
    static bool untrustedByDefault(const std::string &url)
    {
        std::size_t start = url.find("://");
        start = start == std::string::npos ? 0 : start + 3;
        std::string host = url.substr(start, url.find_first_of(":/", start) - start);
        for (char &ch : host)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (host == "localhost" || host == "127.0.0.1" || host == "host.docker.internal")
            return false;
        int a = 0, b = 0, c = 0, d = 0;
        char tail = 0;
        if (std::sscanf(host.c_str(), "%d.%d.%d.%d%c", &a, &b, &c, &d, &tail) == 4)
            return a == 10 || a == 127 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168)
                   || (a == 169 && b == 254) || (a == 100 && b >= 64 && b <= 127) || a == 0;
        for (std::string_view suffix : {".local", ".localdomain", ".internal", ".intranet", ".lan", ".home", ".corp",
                                        ".test", ".invalid", ".localhost"})
            if (host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0)
                return true;
        return false;
    }

    const Policy &m_policy;
    std::vector<std::string> &m_warnings;
    ExportProviders m_providers;
    std::set<std::string> m_warnedHosts;
    std::vector<std::string> m_pinnedNames;
    std::vector<json> m_pinned;
};

} // namespace

nlohmann::ordered_json PortkeyExport::document(const Policy &policy, const nlohmann::json *routerConfig,
                                               std::vector<std::string> &warnings, bool &meaningful)
{
    Writer writer(policy, routerConfig, warnings);
    return writer.document(meaningful);
}

ExportResult PortkeyExport::write(const Policy &policy, const nlohmann::json *routerConfig)
{
    ExportResult result;
    const json config = document(policy, routerConfig, result.warnings, result.meaningful);
    result.text = config.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
    return result;
}

} // namespace rl

#include "routing/policyparser.h"

#include "boundedjson.h"
#include "routing/conditionparser.h"
#include "routing/policywriter.h"
#include "textfile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <unordered_map>

namespace rl {

using nlohmann::json;

namespace {

// Thrown from the JSON parser's callback to stop at absurd nesting before it costs memory or stack.
struct TooDeep {};

std::string joined(std::initializer_list<std::string_view> names)
{
    std::string out;
    for (std::string_view name : names)
        out += (out.empty() ? "" : ", ") + std::string(name);
    return out;
}

bool isIdentifier(const std::string &text)
{
    if (text.empty() || text.size() > 128)
        return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
               || c == '.';
    });
}

std::string tierNames(const Policy &policy)
{
    std::string out;
    for (const Tier &tier : policy.tiers)
        out += (out.empty() ? "" : ", ") + tier.name;
    return out.empty() ? "(no tiers defined)" : out;
}

// The one known key of an object that must have exactly one of `keys`; end() when there are none or several.
json::const_iterator firstKnownKey(const json &object, std::initializer_list<std::string_view> keys)
{
    auto found = object.end();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (std::find(keys.begin(), keys.end(), it.key()) == keys.end())
            continue;
        if (found != object.end())
            return object.end();
        found = it;
    }
    return found;
}

std::string cleanJsonError(const std::string &what)
{
    // nlohmann prefixes "[json.exception.parse_error.101] parse error at line 1, column 2: ".
    std::string out = what;
    if (auto bracket = out.find("] "); out.rfind("[json.exception", 0) == 0 && bracket != std::string::npos)
        out = out.substr(bracket + 2);
    return out;
}

} // namespace

PolicyLoad PolicyParser::parse(std::string_view text)
{
    PolicyLoad load;
    if (text.size() > kMaxDocumentBytes) {
        load.errors.push_back(
            {"", "policy is " + formatByteSize(text.size()) + "; the limit is " + formatByteSize(kMaxDocumentBytes)});
        return load;
    }
    // A 4 MiB policy has about half a million values; more would only cost memory (4 MiB of `[],` parse
    // to 120 MB), so the parse is bounded before it starts.
    if (auto shape = checkJsonShape(text, JsonLimits{kMaxJsonDepth, kMaxJsonValues}); !shape) {
        load.errors.push_back({"", shape.error().code == "json.too_deep"
                                       ? "JSON is nested deeper than " + std::to_string(kMaxJsonDepth)
                                             + " levels; a policy never needs that"
                                       : "JSON has " + shape.error().message + "; a policy never needs that"});
        return load;
    }
    std::vector<std::set<std::string>> keysPerObject;
    std::string duplicateKey;
    auto guard = [&](int depth, json::parse_event_t event, json &parsed) {
        if (depth > kMaxJsonDepth)
            throw TooDeep{};
        if (event == json::parse_event_t::object_start)
            keysPerObject.emplace_back();
        else if (event == json::parse_event_t::object_end && !keysPerObject.empty())
            keysPerObject.pop_back();
        else if (event == json::parse_event_t::key && !keysPerObject.empty() && duplicateKey.empty()
                 && !keysPerObject.back().insert(parsed.get<std::string>()).second)
            duplicateKey = parsed.get<std::string>();
        return true;
    };
    json document;
    try {
        document = json::parse(text.begin(), text.end(), guard);
    } catch (const TooDeep &) {
        load.errors.push_back(
            {"", "JSON is nested deeper than " + std::to_string(kMaxJsonDepth) + " levels; a policy never needs that"});
        return load;
    } catch (const json::exception &e) { // parse_error, and out_of_range for numbers like 1e999
        load.errors.push_back({"", "not valid JSON: " + cleanJsonError(e.what())});
        return load;
    }
    if (!duplicateKey.empty()) {
        load.errors.push_back(
            {"", "key \"" + duplicateKey
                     + "\" appears twice in one object; JSON keeps only one of them, so remove the other"});
        return load;
    }
    return fromJson(document);
}

PolicyLoad PolicyParser::parseFile(const std::string &path)
{
    Result<std::string> text = readTextFile(path, kMaxDocumentBytes);
    if (!text) {
        PolicyLoad load;
        load.errors.push_back({"", text.error().message});
        return load;
    }
    return parse(text.value());
}

PolicyLoad PolicyParser::fromJson(const json &document)
{
    PolicyIssues issues;
    auto policy = std::make_shared<Policy>();
    PolicyParser parser(issues);
    parser.readDocument(document, *policy);
    PolicyLoad load;
    load.errors = issues.errors();
    load.warnings = issues.warnings();
    if (load.errors.empty())
        load.policy = std::move(policy);
    return load;
}

bool PolicyParser::checkObject(const json &value, const std::string &path,
                               std::initializer_list<std::string_view> allowed,
                               std::initializer_list<std::string_view> required)
{
    if (!value.is_object()) {
        m_issues.error(path, "expected an object, found " + jsonKindName(value));
        return false;
    }
    for (const auto &[key, item] : value.items())
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            m_issues.error(PolicyIssues::child(path, key),
                           "unknown field \"" + key + "\"; expected one of: " + joined(allowed));
    for (std::string_view key : required)
        if (!value.contains(key))
            m_issues.error(path, "missing field \"" + std::string(key) + "\"");
    return true;
}

bool PolicyParser::readString(const json &object, std::string_view key, const std::string &path, std::string &out,
                              bool allowEmpty)
{
    auto it = object.find(key);
    if (it == object.end())
        return false;
    std::string itemPath = PolicyIssues::child(path, key);
    if (!it->is_string()) {
        m_issues.error(itemPath, "expected a string, found " + jsonKindName(*it));
        return false;
    }
    out = it->get<std::string>();
    if (out.empty() && !allowEmpty) {
        m_issues.error(itemPath, "must not be empty");
        return false;
    }
    return true;
}

bool PolicyParser::readMoney(const json &value, const std::string &path, std::int64_t &microUsd, bool allowZero)
{
    if (!value.is_number()) {
        m_issues.error(path, "expected an amount in USD (a number), found " + jsonKindName(value));
        return false;
    }
    double usd = value.get<double>();
    if (!std::isfinite(usd) || usd < 0 || (!allowZero && usd == 0) || usd > 1e12) {
        m_issues.error(path, allowZero ? "expected an amount in USD, 0 or more" : "expected an amount in USD above 0");
        return false;
    }
    microUsd = std::llround(usd * 1e6);
    return true;
}

bool PolicyParser::checkModelId(const json &value, const std::string &path)
{
    if (!value.is_string()) {
        m_issues.error(path, "expected a model id as provider/name, found " + jsonKindName(value));
        return false;
    }
    const std::string id = value.get<std::string>();
    auto slash = id.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == id.size()
        || id.find_first_of(" \t\r\n") != std::string::npos) {
        m_issues.error(path, "\"" + id + "\" is not a model id; write provider/name, like openai/gpt-5-mini");
        return false;
    }
    return true;
}

void PolicyParser::readDocument(const json &document, Policy &policy)
{
    if (!checkObject(document, "",
                     {"schema", "name", "description", "version", "tiers", "default_tier", "rules", "budget_guard",
                      "fallback", "budgets"},
                     {"schema", "name", "version", "tiers", "default_tier"}))
        return;

    std::string schema;
    if (readString(document, "schema", "", schema) && schema != kPolicySchema)
        m_issues.error("/schema", "unsupported schema \"" + schema + "\"; this version reads \""
                                      + std::string(kPolicySchema) + "\"");
    readString(document, "name", "", policy.name);
    readString(document, "description", "", policy.description, true);
    if (auto it = document.find("version"); it != document.end()) {
        if (!it->is_number_integer() || it->get<std::int64_t>() < 0)
            m_issues.error("/version", "expected a whole number, 0 or more");
        else
            policy.version = it->get<std::int64_t>();
    }
    if (auto it = document.find("tiers"); it != document.end())
        readTiers(*it, policy);
    if (readString(document, "default_tier", "", policy.defaultTierName)) {
        policy.defaultTier = policy.tierIndex(policy.defaultTierName);
        if (policy.defaultTier < 0)
            m_issues.error("/default_tier",
                           "unknown tier \"" + policy.defaultTierName + "\"; expected one of: " + tierNames(policy));
    }
    if (auto it = document.find("rules"); it != document.end())
        readRules(*it, policy);
    if (auto it = document.find("budget_guard"); it != document.end())
        readBudgetGuard(*it, policy);
    if (auto it = document.find("fallback"); it != document.end())
        readFallback(*it, policy);
    if (auto it = document.find("budgets"); it != document.end())
        readBudgets(*it, policy);
    if (m_issues.errorCount() == 0)
        warnAboutShadowedRules(policy);
}

void PolicyParser::readTiers(const json &tiers, Policy &policy)
{
    if (!tiers.is_array() || tiers.empty()) {
        m_issues.error("/tiers", "expected a non-empty array of tiers, most capable first");
        return;
    }
    std::set<std::string> modelsSeen;
    for (std::size_t i = 0; i < tiers.size(); ++i) {
        std::string path = PolicyIssues::child("/tiers", i);
        const json &item = tiers[i];
        if (!checkObject(item, path, {"name", "models"}, {"name", "models"}))
            continue;
        Tier tier;
        if (readString(item, "name", path, tier.name)) {
            if (!isIdentifier(tier.name))
                m_issues.error(path + "/name", "tier names use letters, digits, '-', '_' and '.'");
            else if (tier.name == "auto")
                m_issues.error(path + "/name", "\"auto\" is reserved for requests that let the policy choose");
            else if (policy.tierIndex(tier.name) >= 0)
                m_issues.error(path + "/name", "duplicate tier \"" + tier.name + "\"");
        }
        if (auto models = item.find("models"); models != item.end()) {
            if (!models->is_array() || models->empty())
                m_issues.error(path + "/models", "a tier needs at least one model, as an array of provider/name ids");
            else
                for (std::size_t m = 0; m < models->size(); ++m) {
                    std::string modelPath = PolicyIssues::child(path + "/models", m);
                    if (!checkModelId((*models)[m], modelPath))
                        continue;
                    std::string id = (*models)[m].get<std::string>();
                    if (!modelsSeen.insert(id).second)
                        m_issues.error(modelPath, "model \"" + id + "\" is listed twice; a model belongs to one tier");
                    tier.models.push_back(std::move(id));
                }
        }
        policy.tiers.push_back(std::move(tier));
    }
}

void PolicyParser::readRules(const json &rules, Policy &policy)
{
    if (!rules.is_array()) {
        m_issues.error("/rules", "expected an array of rules, found " + jsonKindName(rules));
        return;
    }
    std::set<std::string> ids;
    ConditionParser conditions(m_issues);
    for (std::size_t i = 0; i < rules.size(); ++i) {
        std::string path = PolicyIssues::child("/rules", i);
        const json &item = rules[i];
        if (!checkObject(item, path, {"id", "description", "enabled", "when", "then"}, {"id", "when", "then"}))
            continue;
        Rule rule;
        if (readString(item, "id", path, rule.id)) {
            if (!isIdentifier(rule.id))
                m_issues.error(path + "/id", "rule ids use letters, digits, '-', '_' and '.'");
            else if (rule.id == "default")
                m_issues.error(path + "/id", "\"default\" is reserved for decisions no rule made");
            else if (!ids.insert(rule.id).second)
                m_issues.error(path + "/id", "duplicate rule id \"" + rule.id + "\"");
        }
        readString(item, "description", path, rule.description, true);
        if (auto enabled = item.find("enabled"); enabled != item.end()) {
            if (!enabled->is_boolean())
                m_issues.error(path + "/enabled", "expected true or false, found " + jsonKindName(*enabled));
            else
                rule.enabled = enabled->get<bool>();
        }
        if (auto when = item.find("when"); when != item.end())
            rule.when = conditions.parse(*when, path + "/when");
        if (auto then = item.find("then"); then != item.end())
            readRuleAction(*then, path + "/then", policy, rule);
        policy.rules.push_back(std::move(rule));
    }
}

void PolicyParser::readRuleAction(const json &then, const std::string &path, const Policy &policy, Rule &rule)
{
    if (!checkObject(then, path, {"tier", "model", "block"}, {}))
        return;
    const auto keyIt = firstKnownKey(then, {"tier", "model", "block"});
    if (keyIt == then.end()) {
        m_issues.error(path, "expected exactly one of \"tier\", \"model\" or \"block\"");
        return;
    }
    const std::string &key = keyIt.key();
    const json &value = keyIt.value();
    std::string valuePath = PolicyIssues::child(path, key);
    if (key == "model") {
        rule.then.kind = RuleAction::Kind::Model;
        if (checkModelId(value, valuePath)) {
            rule.then.value = value.get<std::string>();
            rule.then.tierIndex = policy.tierOfModel(rule.then.value);
        }
        return;
    }
    if (!value.is_string() || value.get<std::string>().empty()) {
        m_issues.error(valuePath, key == "tier" ? "expected a tier name" : "expected the reason shown to the caller");
        return;
    }
    rule.then.value = value.get<std::string>();
    if (key == "block") {
        rule.then.kind = RuleAction::Kind::Block;
        return;
    }
    rule.then.kind = RuleAction::Kind::Tier;
    rule.then.tierIndex = policy.tierIndex(rule.then.value);
    if (rule.then.tierIndex < 0)
        m_issues.error(valuePath, "unknown tier \"" + rule.then.value + "\"; expected one of: " + tierNames(policy));
}

void PolicyParser::readBudgetGuard(const json &steps, Policy &policy)
{
    std::set<double> thresholds; // a set, so that a long guard is checked in n log n
    if (!steps.is_array()) {
        m_issues.error("/budget_guard", "expected an array of steps, found " + jsonKindName(steps));
        return;
    }
    for (std::size_t i = 0; i < steps.size(); ++i) {
        std::string path = PolicyIssues::child("/budget_guard", i);
        const json &item = steps[i];
        if (!checkObject(item, path, {"used_at_least", "then"}, {"used_at_least", "then"}))
            continue;
        BudgetGuardStep step;
        if (auto used = item.find("used_at_least"); used != item.end()) {
            if (!used->is_number() || used->get<double>() < 0 || used->get<double>() > 100)
                m_issues.error(path + "/used_at_least", "expected the budget fraction used, like 0.9 for 90 %");
            else
                step.usedAtLeast = used->get<double>();
        }
        if (item.contains("used_at_least") && !thresholds.insert(step.usedAtLeast).second)
            m_issues.error(path + "/used_at_least", "another step has the same threshold");
        auto then = item.find("then");
        if (then == item.end() || !checkObject(*then, path + "/then", {"downgrade", "cap_tier", "block"}, {}))
            continue;
        const auto keyIt = firstKnownKey(*then, {"downgrade", "cap_tier", "block"});
        if (keyIt == then->end()) {
            m_issues.error(path + "/then", "expected exactly one of \"downgrade\", \"cap_tier\" or \"block\"");
            continue;
        }
        const std::string &key = keyIt.key();
        const json &value = keyIt.value();
        std::string valuePath = path + "/then/" + key;
        if (key == "downgrade") {
            step.action = BudgetGuardStep::Action::Downgrade;
            if (!value.is_number_integer() || value.get<std::int64_t>() < 1 || value.get<std::int64_t>() > 10)
                m_issues.error(valuePath, "expected how many tiers to step down, a whole number from 1");
            else
                step.downgradeBy = value.get<int>();
        } else if (key == "cap_tier") {
            step.action = BudgetGuardStep::Action::CapTier;
            if (!value.is_string())
                m_issues.error(valuePath, "expected a tier name");
            else {
                step.tierName = value.get<std::string>();
                step.tierIndex = policy.tierIndex(step.tierName);
                if (step.tierIndex < 0)
                    m_issues.error(valuePath,
                                   "unknown tier \"" + step.tierName + "\"; expected one of: " + tierNames(policy));
            }
        } else {
            step.action = BudgetGuardStep::Action::Block;
            if (!value.is_string() || value.get<std::string>().empty())
                m_issues.error(valuePath, "expected the reason shown to the caller");
            else
                step.reason = value.get<std::string>();
        }
        policy.budgetGuard.push_back(std::move(step));
    }
    std::stable_sort(policy.budgetGuard.begin(), policy.budgetGuard.end(),
                     [](const BudgetGuardStep &a, const BudgetGuardStep &b) { return a.usedAtLeast < b.usedAtLeast; });
}

void PolicyParser::readFallback(const json &fallback, Policy &policy)
{
    if (!checkObject(fallback, "/fallback", {"on", "max_attempts", "across_tiers"}, {}))
        return;
    policy.fallback.present = true;
    if (auto on = fallback.find("on"); on != fallback.end()) {
        policy.fallback.on.clear();
        if (!on->is_array())
            m_issues.error("/fallback/on", "expected an array of failure kinds");
        else
            for (std::size_t i = 0; i < on->size(); ++i) {
                const json &kind = (*on)[i];
                std::string name = kind.is_string() ? kind.get<std::string>() : "";
                if (name != "timeout" && name != "rate_limited" && name != "server_error")
                    m_issues.error(PolicyIssues::child("/fallback/on", i),
                                   "expected one of: timeout, rate_limited, server_error");
                else if (std::find(policy.fallback.on.begin(), policy.fallback.on.end(), name)
                         != policy.fallback.on.end())
                    m_issues.error(PolicyIssues::child("/fallback/on", i), "\"" + name + "\" is listed twice");
                else
                    policy.fallback.on.push_back(name);
            }
    }
    if (auto attempts = fallback.find("max_attempts"); attempts != fallback.end()) {
        if (!attempts->is_number_integer() || attempts->get<std::int64_t>() < 1 || attempts->get<std::int64_t>() > 10)
            m_issues.error("/fallback/max_attempts", "expected a whole number from 1 to 10");
        else
            policy.fallback.maxAttempts = attempts->get<int>();
    }
    if (readString(fallback, "across_tiers", "/fallback", policy.fallback.acrossTiers)
        && policy.fallback.acrossTiers != "down" && policy.fallback.acrossTiers != "up"
        && policy.fallback.acrossTiers != "none")
        m_issues.error("/fallback/across_tiers", "expected \"down\", \"up\" or \"none\"");
}

void PolicyParser::readBudgets(const json &budgets, Policy &policy)
{
    if (!budgets.is_array()) {
        m_issues.error("/budgets", "expected an array of budgets, found " + jsonKindName(budgets));
        return;
    }
    for (std::size_t i = 0; i < budgets.size(); ++i) {
        std::string path = PolicyIssues::child("/budgets", i);
        const json &item = budgets[i];
        if (!checkObject(item, path, {"scope", "period", "limit_usd", "spent_usd_at_publish"},
                         {"scope", "period", "limit_usd"}))
            continue;
        Budget budget;
        if (auto scope = item.find("scope");
            scope != item.end() && checkObject(*scope, path + "/scope", {"team", "app", "user"}, {})) {
            readString(*scope, "team", path + "/scope", budget.scope.team);
            readString(*scope, "app", path + "/scope", budget.scope.app);
            readString(*scope, "user", path + "/scope", budget.scope.user);
            if (scope->empty())
                m_issues.error(path + "/scope", "name a team, app or user; an empty scope matches nothing");
        }
        if (readString(item, "period", path, budget.period)) {
            static const std::set<std::string> periods = {"day", "week", "month", "quarter", "year"};
            if (!periods.count(budget.period))
                m_issues.error(path + "/period", "expected one of: day, week, month, quarter, year");
        }
        if (auto limit = item.find("limit_usd"); limit != item.end())
            readMoney(*limit, path + "/limit_usd", budget.limitMicroUsd, false);
        if (auto spent = item.find("spent_usd_at_publish"); spent != item.end()) {
            std::int64_t micro = 0;
            if (readMoney(*spent, path + "/spent_usd_at_publish", micro, true))
                budget.spentAtPublishMicroUsd = micro;
        }
        policy.budgets.push_back(std::move(budget));
    }
}

void PolicyParser::warnAboutShadowedRules(const Policy &policy)
{
    // One pass: for each enabled rule, the earliest enabled rule before it that always matches or has the
    // same condition. Linear in the number of rules (a hash per condition), so a 20,000-rule policy
    // validates as fast as twenty rules per rule.
    std::optional<std::size_t> firstAlwaysMatching;
    std::unordered_map<std::string, std::size_t> firstWithCondition;
    firstWithCondition.reserve(policy.rules.size());
    for (std::size_t i = 0; i < policy.rules.size(); ++i) {
        const Rule &rule = policy.rules[i];
        if (!rule.enabled)
            continue;
        std::string canonical = PolicyWriter::conditionToJson(rule.when).dump();
        auto same = firstWithCondition.find(canonical);
        const bool hasSame = same != firstWithCondition.end();
        if (firstAlwaysMatching || hasSame) {
            const bool always = firstAlwaysMatching && (!hasSame || *firstAlwaysMatching <= same->second);
            const std::size_t earlier = always ? *firstAlwaysMatching : same->second;
            const Rule &before = policy.rules[earlier];
            m_issues.warning(PolicyIssues::child("/rules", i),
                             "rule \"" + rule.id + "\" can never match: rule \"" + before.id + "\" (/rules/"
                                 + std::to_string(earlier) + ") before it "
                                 + (always ? "always matches" : "has the same condition"));
        }
        if (!hasSame)
            firstWithCondition.emplace(std::move(canonical), i);
        if (!firstAlwaysMatching && rule.when.alwaysHolds())
            firstAlwaysMatching = i;
    }
}

} // namespace rl

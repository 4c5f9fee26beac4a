#pragma once

#include "routing/policy.h"
#include "routing/policyissue.h"

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rl {

// The outcome of reading a policy: the policy when it has no errors, and every error and warning found.
struct PolicyLoad {
    std::shared_ptr<const Policy> policy; // null when errors is not empty: an invalid policy is never used
    std::vector<PolicyIssue> errors;
    std::vector<PolicyIssue> warnings;

    bool ok() const { return policy != nullptr; }
};

// Reads and validates `routeledger.policy/v1` documents (DESIGN.md §3.1; docs/POLICY.md).
class PolicyParser {
public:
    static constexpr std::size_t kMaxDocumentBytes = 4u << 20; // 4 MiB, the router's default body limit
    static constexpr int kMaxJsonDepth = 64;
    static constexpr std::size_t kMaxJsonValues = 1'000'000;

    static PolicyLoad parse(std::string_view text);
    static PolicyLoad parseFile(const std::string &path);
    static PolicyLoad fromJson(const nlohmann::json &document);

private:
    explicit PolicyParser(PolicyIssues &issues) : m_issues(issues) {}

    void readDocument(const nlohmann::json &document, Policy &policy);
    void readTiers(const nlohmann::json &tiers, Policy &policy);
    void readRules(const nlohmann::json &rules, Policy &policy);
    void readRuleAction(const nlohmann::json &then, const std::string &path, const Policy &policy, Rule &rule);
    void readBudgetGuard(const nlohmann::json &steps, Policy &policy);
    void readFallback(const nlohmann::json &fallback, Policy &policy);
    void readBudgets(const nlohmann::json &budgets, Policy &policy);
    void warnAboutShadowedRules(const Policy &policy);

    bool checkObject(const nlohmann::json &value, const std::string &path,
                     std::initializer_list<std::string_view> allowed, std::initializer_list<std::string_view> required);
    bool readString(const nlohmann::json &object, std::string_view key, const std::string &path, std::string &out,
                    bool allowEmpty = false);
    bool readMoney(const nlohmann::json &value, const std::string &path, std::int64_t &microUsd, bool allowZero);
    bool checkModelId(const nlohmann::json &value, const std::string &path);

    PolicyIssues &m_issues;
};

} // namespace rl

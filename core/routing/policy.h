#pragma once

#include "routing/condition.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rl {

inline constexpr std::string_view kPolicySchema = "routeledger.policy/v1";

struct Tier {
    std::string name;
    std::vector<std::string> models; // preference order; the next one is the fallback within the tier
};

// A rule's `then`: exactly one of a tier, a model or a block.
struct RuleAction {
    enum class Kind : unsigned char { Tier, Model, Block };
    Kind kind = Kind::Tier;
    std::string value;  // tier name, model id or block reason
    int tierIndex = -1; // Tier: the tier; Model: the tier listing the model, -1 when none does
};

struct Rule {
    std::string id;
    std::string description;
    bool enabled = true;
    Condition when;
    RuleAction then;
};

struct BudgetGuardStep {
    enum class Action : unsigned char { Downgrade, CapTier, Block };
    double usedAtLeast = 0.0;
    Action action = Action::Downgrade;
    int downgradeBy = 0;  // Downgrade
    std::string tierName; // CapTier
    int tierIndex = -1;   // CapTier
    std::string reason;   // Block
};

struct FallbackPolicy {
    std::vector<std::string> on = {"timeout", "rate_limited", "server_error"};
    int maxAttempts = 3;
    std::string acrossTiers = "down"; // "down", "up" or "none"
    bool present = false;             // written back only when the document had it
};

struct BudgetScope {
    std::string team, app, user; // one or more; empty means "any"
};

struct Budget {
    BudgetScope scope;
    std::string period; // day, week, month, quarter, year
    std::int64_t limitMicroUsd = 0;
    std::optional<std::int64_t> spentAtPublishMicroUsd;
};

// A validated `routeledger.policy/v1` document. Only PolicyParser makes one, so every index and regex in
// it is known to be good; it is immutable and shared (std::shared_ptr<const Policy>) between threads.
struct Policy {
    std::string name;
    std::string description;
    std::int64_t version = 0;
    std::vector<Tier> tiers; // most capable first
    std::string defaultTierName;
    int defaultTier = 0;
    std::vector<Rule> rules;
    std::vector<BudgetGuardStep> budgetGuard; // sorted by usedAtLeast, ascending
    FallbackPolicy fallback;
    std::vector<Budget> budgets;

    int tierIndex(std::string_view tierName) const;
    // The tier that lists `model` (a full `provider/name` id, or a bare name when only one tier model has
    // it); -1 when none does. `resolvedModel` receives the full id.
    int tierOfModel(std::string_view model, std::string_view *resolvedModel = nullptr) const;
};

} // namespace rl

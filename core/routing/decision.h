#pragma once

#include "routing/policy.h"
#include "routing/task.h"

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace rl {

// One rule the engine looked at, and what became of it.
struct TrailStep {
    enum class Outcome : unsigned char { Matched, Failed, Disabled };
    std::uint32_t rule = 0; // index into Policy::rules
    Outcome outcome = Outcome::Failed;
    const Condition *failed = nullptr; // Failed: the first condition that did not hold
};

enum class DecidedBy : unsigned char { Rule, RequestedTier, RequestedModel, Default };
enum class BudgetAction : unsigned char { None, Downgrade, CapTier, Block };

std::string_view decidedByName(DecidedBy by);
std::string_view budgetActionName(BudgetAction action);

// What the engine chose for a request, with everything needed to explain it. The views point into the
// policy, which the decision keeps alive, so a policy swap never pulls the strings from under it.
struct Decision {
    std::shared_ptr<const Policy> policy;
    int tier = -1; // -1: blocked, or a pinned model outside every tier
    std::string_view model;
    bool blocked = false;
    std::string_view blockReason;

    DecidedBy decidedBy = DecidedBy::Default;
    int rule = -1;             // deciding rule, or -1
    int tierBeforeBudget = -1; // the tier before the budget guard acted
    std::string_view modelBeforeBudget;
    BudgetAction budgetAction = BudgetAction::None;
    int budgetStep = -1; // index into Policy::budgetGuard

    double complexity = 0.0;
    Task task = Task::Chat;
    std::int64_t inputTokens = 0;
    int hourUtc = 0;
    int weekday = 1;

    std::vector<TrailStep> trail;

    std::string_view tierName() const;
    std::string_view ruleId() const; // the rule id, or "default"
};

} // namespace rl

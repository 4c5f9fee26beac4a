#include "routing/decision.h"

namespace rl {

std::string_view decidedByName(DecidedBy by)
{
    switch (by) {
    case DecidedBy::Rule: return "rule";
    case DecidedBy::RequestedTier: return "requested_tier";
    case DecidedBy::RequestedModel: return "requested_model";
    case DecidedBy::Default: return "default_tier";
    }
    return "default_tier";
}

std::string_view budgetActionName(BudgetAction action)
{
    switch (action) {
    case BudgetAction::None: return "none";
    case BudgetAction::Downgrade: return "downgrade";
    case BudgetAction::CapTier: return "cap_tier";
    case BudgetAction::Block: return "block";
    }
    return "none";
}

std::string_view Decision::tierName() const
{
    if (!policy || tier < 0)
        return {};
    return policy->tiers[static_cast<std::size_t>(tier)].name;
}

std::string_view Decision::ruleId() const
{
    if (!policy || rule < 0)
        return "default";
    return policy->rules[static_cast<std::size_t>(rule)].id;
}

} // namespace rl

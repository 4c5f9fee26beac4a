#include "routing/decisionwriter.h"

#include <cmath>

namespace rl {

using nlohmann::ordered_json;

ordered_json DecisionWriter::toJson(const Decision &decision, const RouteRequest &request)
{
    const Policy &policy = *decision.policy;
    ordered_json out = ordered_json::object();
    out["tier"] = decision.tier >= 0 ? ordered_json(std::string(decision.tierName())) : ordered_json(nullptr);
    out["model"] = decision.model.empty() ? ordered_json(nullptr) : ordered_json(std::string(decision.model));
    out["rule"] = std::string(decision.ruleId());
    out["decided_by"] = std::string(decidedByName(decision.decidedBy));
    out["blocked"] = decision.blocked;
    if (decision.blocked)
        out["reason"] = std::string(decision.blockReason);
    out["budget_action"] = std::string(budgetActionName(decision.budgetAction));
    if (decision.budgetStep >= 0) {
        const BudgetGuardStep &step = policy.budgetGuard[static_cast<std::size_t>(decision.budgetStep)];
        out["budget_used"] = request.budgetUsed;
        out["budget_threshold"] = step.usedAtLeast;
        if (decision.tierBeforeBudget >= 0)
            out["tier_before_budget"] = policy.tiers[static_cast<std::size_t>(decision.tierBeforeBudget)].name;
        if (!decision.modelBeforeBudget.empty())
            out["model_before_budget"] = std::string(decision.modelBeforeBudget);
    }
    out["complexity"] = std::round(decision.complexity * 10000.0) / 10000.0;
    out["task"] = std::string(taskName(decision.task));
    out["input_tokens"] = decision.inputTokens;
    out["policy"] = policy.name;
    out["policy_version"] = policy.version;

    const EvalContext context{request,          decision.complexity, decision.task, decision.inputTokens,
                              decision.hourUtc, decision.weekday};
    ordered_json trail = ordered_json::array();
    for (const TrailStep &step : decision.trail) {
        const Rule &rule = policy.rules[step.rule];
        ordered_json item = ordered_json::object();
        item["rule"] = rule.id;
        switch (step.outcome) {
        case TrailStep::Outcome::Matched: item["outcome"] = "matched"; break;
        case TrailStep::Outcome::Disabled: item["outcome"] = "disabled"; break;
        case TrailStep::Outcome::Failed:
            item["outcome"] = "failed";
            item["failed"] = step.failed->path;
            item["why"] = step.failed->describeFailure(context);
            break;
        }
        trail.push_back(std::move(item));
    }
    out["trail"] = std::move(trail);
    return out;
}

} // namespace rl

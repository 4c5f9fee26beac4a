#include "routing/routingengine.h"

#include <algorithm>

namespace rl {

namespace {

// OpenAI's chat format costs about three tokens per message plus three to prime the reply.
constexpr std::int64_t kTokensPerMessage = 3;
constexpr std::int64_t kReplyPrimingTokens = 3;

std::string_view firstModel(const Policy &policy, int tier)
{
    return policy.tiers[static_cast<std::size_t>(tier)].models.front();
}

} // namespace

void RoutingEngine::utcHourAndWeekday(std::int64_t timeMs, int &hour, int &weekday)
{
    constexpr std::int64_t kMsPerDay = 86'400'000;
    std::int64_t days = timeMs / kMsPerDay;
    std::int64_t msOfDay = timeMs % kMsPerDay;
    if (msOfDay < 0) { // floor division for times before 1970
        msOfDay += kMsPerDay;
        --days;
    }
    hour = static_cast<int>(msOfDay / 3'600'000);
    // 1970-01-01 was a Thursday (ISO 4).
    std::int64_t mod = ((days % 7) + 7) % 7;
    weekday = static_cast<int>((mod + 3) % 7 + 1);
}

void RoutingEngine::estimate(const RouteRequest &request, Decision &decision) const
{
    const std::string_view scored = request.scoredText();
    const bool scoredIsWholePrompt = scored.size() == request.prompt.size();
    std::int64_t promptTokens = 0;
    if (!request.complexity || !request.task || (!request.inputTokens && scoredIsWholePrompt)) {
        PromptScore score = m_scorer.score(scored);
        decision.complexity = score.complexity;
        decision.task = score.task;
        promptTokens = score.inputTokens;
    }
    if (request.complexity)
        decision.complexity = std::clamp(*request.complexity, 0.0, 1.0);
    if (request.task)
        decision.task = *request.task;
    if (request.inputTokens) {
        decision.inputTokens = *request.inputTokens;
        return;
    }
    if (!scoredIsWholePrompt)
        promptTokens = PromptAnalyzer::tokenEstimate(PromptAnalyzer::scan(request.prompt));
    const auto messages = static_cast<std::int64_t>(request.messageCount);
    decision.inputTokens = promptTokens + (messages ? messages * kTokensPerMessage + kReplyPrimingTokens : 0);
}

Decision RoutingEngine::decide(const std::shared_ptr<const Policy> &policyPtr, const RouteRequest &request) const
{
    Decision decision;
    decision.policy = policyPtr;
    const Policy &policy = *policyPtr;
    estimate(request, decision);
    utcHourAndWeekday(request.timeMs, decision.hourUtc, decision.weekday);
    const EvalContext context{request,          decision.complexity, decision.task, decision.inputTokens,
                              decision.hourUtc, decision.weekday};

    decision.trail.reserve(policy.rules.size());
    for (std::size_t i = 0; i < policy.rules.size(); ++i) {
        const Rule &rule = policy.rules[i];
        const auto index = static_cast<std::uint32_t>(i);
        if (!rule.enabled) {
            decision.trail.push_back({index, TrailStep::Outcome::Disabled, nullptr});
            continue;
        }
        if (const Condition *failed = rule.when.firstFailure(context)) {
            decision.trail.push_back({index, TrailStep::Outcome::Failed, failed});
            continue;
        }
        decision.trail.push_back({index, TrailStep::Outcome::Matched, nullptr});
        decision.decidedBy = DecidedBy::Rule;
        decision.rule = static_cast<int>(i);
        switch (rule.then.kind) {
        case RuleAction::Kind::Block:
            decision.blocked = true;
            decision.blockReason = rule.then.value;
            return decision; // a blocked request has no tier, and the budget guard has nothing to do
        case RuleAction::Kind::Tier:
            decision.tier = rule.then.tierIndex;
            decision.model = firstModel(policy, decision.tier);
            break;
        case RuleAction::Kind::Model:
            decision.tier = rule.then.tierIndex;
            decision.model = rule.then.value;
            break;
        }
        break;
    }

    if (decision.decidedBy != DecidedBy::Rule) {
        std::string_view resolved;
        if (int tier = policy.tierIndex(request.requestedModel); tier >= 0) {
            decision.decidedBy = DecidedBy::RequestedTier;
            decision.tier = tier;
            decision.model = firstModel(policy, tier);
        } else if (int modelTier = policy.tierOfModel(request.requestedModel, &resolved); modelTier >= 0) {
            decision.decidedBy = DecidedBy::RequestedModel;
            decision.tier = modelTier;
            decision.model = resolved;
        } else {
            decision.decidedBy = DecidedBy::Default;
            decision.tier = policy.defaultTier;
            decision.model = firstModel(policy, decision.tier);
        }
    }

    decision.tierBeforeBudget = decision.tier;
    decision.modelBeforeBudget = decision.model;
    applyBudgetGuard(policy, request, decision);
    return decision;
}

void RoutingEngine::applyBudgetGuard(const Policy &policy, const RouteRequest &request, Decision &decision)
{
    // The steps are sorted by threshold, so the last one reached is the highest.
    int reached = -1;
    for (std::size_t i = 0; i < policy.budgetGuard.size(); ++i)
        if (request.budgetUsed >= policy.budgetGuard[i].usedAtLeast)
            reached = static_cast<int>(i);
    if (reached < 0)
        return;
    const BudgetGuardStep &step = policy.budgetGuard[static_cast<std::size_t>(reached)];
    decision.budgetStep = reached;
    // A pinned model outside every tier counts as the default tier for the guard (docs/POLICY.md).
    const int current = decision.tier >= 0 ? decision.tier : policy.defaultTier;
    const int cheapest = static_cast<int>(policy.tiers.size()) - 1;
    int target = current;
    switch (step.action) {
    case BudgetGuardStep::Action::Block:
        decision.budgetAction = BudgetAction::Block;
        decision.blocked = true;
        decision.blockReason = step.reason;
        decision.tier = -1;
        decision.model = {};
        return;
    case BudgetGuardStep::Action::Downgrade:
        decision.budgetAction = BudgetAction::Downgrade;
        target = std::min(current + step.downgradeBy, cheapest);
        break;
    case BudgetGuardStep::Action::CapTier:
        decision.budgetAction = BudgetAction::CapTier;
        target = std::max(current, step.tierIndex);
        break;
    }
    if (target != current) {
        decision.tier = target;
        decision.model = firstModel(policy, target);
    }
}

} // namespace rl

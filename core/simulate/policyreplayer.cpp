#include "simulate/policyreplayer.h"

#include <algorithm>

namespace rl {

namespace {

// More combinations than this for one event and the outcome is reported as unknown with what was seen: a
// policy with that many unrecorded conditions on one path is better answered by shadow mode.
constexpr std::size_t kMaxDecisions = 64;

constexpr std::string_view kBudgetUnknown = "budget use not recorded by the source (the policy has a budget guard)";
constexpr std::string_view kBlockedUnpriced = "blocked when recorded: no token counts to price it served";
constexpr std::string_view kTooManyUnknowns = "too many unrecorded conditions to enumerate";

void indexLeaves(const Condition &node, std::string_view rule,
                 std::unordered_map<const Condition *, std::string_view> &ruleOf)
{
    ruleOf[&node] = rule;
    for (const Condition &child : node.children)
        indexLeaves(child, rule, ruleOf);
}

std::string_view featureName(Field field)
{
    switch (field) {
    case Field::HasTools: return "has_tools";
    case Field::HasImages: return "has_images";
    case Field::Stream: return "stream";
    case Field::Complexity: return "complexity";
    case Field::Task: return "task";
    case Field::RequestedModel: return "requested_model";
    default: return fieldName(field);
    }
}

} // namespace

PolicyReplayer::PolicyReplayer(std::shared_ptr<const Policy> policy, const Pricing &pricing,
                               const RoutingEngine &engine)
    : m_policy(std::move(policy)), m_pricing(pricing), m_engine(engine)
{
    for (const Rule &rule : m_policy->rules)
        indexLeaves(rule.when, rule.id, m_ruleOf);
    m_request.leafOracle = &m_oracle;
}

std::string_view PolicyReplayer::reasonFor(const Condition &leaf)
{
    auto found = m_reasons.find(&leaf);
    if (found != m_reasons.end())
        return found->second;
    const std::string rule(m_ruleOf[&leaf]);
    std::string reason =
        leaf.field == Field::Prompt
            ? "rule " + rule + ": prompt pattern never checked on these requests (" + leaf.path + ")"
            : "rule " + rule + ": " + std::string(featureName(leaf.field)) + " not recorded by the source";
    return m_reasons.emplace(&leaf, std::move(reason)).first->second;
}

std::int64_t PolicyReplayer::costOf(std::string_view model, const UsageEvent &event, bool *unpriced) const
{
    if (model == event.model) {
        if (unpriced)
            *unpriced = event.unpriced;
        return event.costMicro;
    }
    const Cost cost = m_pricing.cost(model, event.tokens, event.timeMs);
    if (unpriced)
        *unpriced = cost.unpriced;
    return cost.microUsd;
}

void PolicyReplayer::price(const UsageEvent &event, ReplayOutcome &outcome) const
{
    if (outcome.blocked) {
        outcome.servedModel = {};
        return;
    }
    // The recorded fallback applies when the same model was decided: it would have failed over again.
    outcome.servedModel = !event.routedModel.empty() && outcome.model == event.routedModel
                              ? std::string_view(event.model)
                              : outcome.model;
    if (event.status == UsageStatus::Blocked) {
        outcome.costKnown = false;
        return;
    }
    outcome.costMicro = costOf(outcome.servedModel, event, &outcome.unpriced);
}

ReplayOutcome PolicyReplayer::decideOnce(const UsageEvent &event)
{
    m_oracle.start(event, m_assumed);
    const Decision decision = m_engine.decide(m_policy, m_request);
    ReplayOutcome outcome;
    outcome.tier = decision.tier;
    outcome.tierName = decision.tierName();
    outcome.model = decision.model;
    outcome.rule = decision.ruleId();
    outcome.blocked = decision.blocked;
    price(event, outcome);
    return outcome;
}

void PolicyReplayer::replay(const UsageEvent &event, EventReplay &out)
{
    RouteRequest &r = m_request;
    r.team = event.team;
    r.user = event.user;
    r.app = event.app;
    r.tags = event.tags;
    r.requestedModel = event.requestedModel.empty() ? std::string("auto") : event.requestedModel;
    r.hasTools = event.features.hasTools.value_or(false);
    r.hasImages = event.features.hasImages.value_or(false);
    r.stream = event.features.stream.value_or(false);
    r.timeMs = event.timeMs;
    r.complexity = event.complexity.value_or(0.0);
    r.task = taskFromName(event.task).value_or(Task::Chat);
    // The figure the decision used where recorded; else the measured prompt size, which it estimated.
    r.inputTokens =
        event.features.inputTokens.value_or(event.tokens.input + event.tokens.cachedInput + event.tokens.cacheWrite);

    out.known = true;
    out.possible.clear();
    out.reason = {};
    const std::string_view frontier = m_policy->tiers.front().models.front();
    out.frontierCostMicro = event.status == UsageStatus::Blocked ? 0 : costOf(frontier, event);

    // An unrecorded budget use is tried at nothing used and at each guard step's threshold.
    std::vector<double> budgets{event.features.budgetUsed.value_or(0.0)};
    if (!event.features.budgetUsed && !m_policy->budgetGuard.empty()) {
        for (const BudgetGuardStep &step : m_policy->budgetGuard)
            budgets.push_back(step.usedAtLeast);
        out.reason = kBudgetUnknown;
    }

    std::size_t decisions = 0;
    bool first = true;
    for (double budget : budgets) {
        r.budgetUsed = budget;
        m_pending.assign(1, {});
        while (!m_pending.empty()) {
            m_assumed = std::move(m_pending.back());
            m_pending.pop_back();
            const ReplayOutcome outcome = decideOnce(event);
            ++decisions;
            if (first) {
                out.outcome = outcome;
                first = false;
            }
            if (std::none_of(out.possible.begin(), out.possible.end(),
                             [&](const ReplayOutcome &seen) { return seen.sameEffect(outcome); }))
                out.possible.push_back(outcome);
            const auto &leaves = m_oracle.unknownLeaves();
            const auto &values = m_oracle.unknownValues();
            if (!leaves.empty() && out.reason.empty())
                out.reason = reasonFor(*leaves.front());
            // Every unknown met after the assumed ones was taken as false: its other branch is still to try.
            for (std::size_t i = m_assumed.size(); i < leaves.size(); ++i) {
                std::vector<bool> branch(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(i));
                branch.push_back(true);
                m_pending.push_back(std::move(branch));
            }
            if (decisions >= kMaxDecisions && !m_pending.empty()) {
                m_pending.clear();
                out.reason = kTooManyUnknowns;
                out.known = false;
            }
        }
    }
    if (out.possible.size() > 1)
        out.known = false;
    if (std::any_of(out.possible.begin(), out.possible.end(), [](const ReplayOutcome &o) { return !o.costKnown; })) {
        out.known = false;
        if (out.reason.empty())
            out.reason = kBlockedUnpriced;
    }
    if (out.known)
        out.reason = {};
}

} // namespace rl

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
    for (const Rule &rule : m_policy->rules) {
        indexLeaves(rule.when, rule.id, m_ruleOf);
        studyPolicy(rule.when);
    }
    for (auto *cuts : {&m_complexityCuts, &m_tokenCuts, &m_hourCuts, &m_weekdayCuts}) {
        std::sort(cuts->begin(), cuts->end());
        cuts->erase(std::unique(cuts->begin(), cuts->end()), cuts->end());
    }
    m_request.leafOracle = &m_oracle;
}

void PolicyReplayer::studyPolicy(const Condition &node)
{
    for (const Condition &child : node.children)
        studyPolicy(child);
    if (node.kind != Condition::Kind::Leaf)
        return;
    const auto text = [&](TextUse &use) {
        use.used = true;
        if (node.op == Op::Matches || node.op == Op::Contains)
            use.whole = true;
        for (const std::string &value : node.texts)
            if (std::find(use.values.begin(), use.values.end(), value) == use.values.end())
                use.values.push_back(value);
    };
    switch (node.field) {
    case Field::Team: text(m_team); break;
    case Field::User: text(m_user); break;
    case Field::App: text(m_app); break;
    case Field::Tag: text(m_tags); break;
    case Field::Task: text(m_task); break;
    case Field::HasTools: m_usesTools = true; break;
    case Field::HasImages: m_usesImages = true; break;
    case Field::Stream: m_usesStream = true; break;
    case Field::HourUtc: m_hourCuts.insert(m_hourCuts.end(), node.numbers.begin(), node.numbers.end()); break;
    case Field::Weekday: m_weekdayCuts.insert(m_weekdayCuts.end(), node.numbers.begin(), node.numbers.end()); break;
    case Field::Complexity:
        m_complexityCuts.insert(m_complexityCuts.end(), node.numbers.begin(), node.numbers.end());
        break;
    case Field::InputTokens: m_tokenCuts.insert(m_tokenCuts.end(), node.numbers.begin(), node.numbers.end()); break;
    case Field::Prompt:
        if (std::find(m_promptKeys.begin(), m_promptKeys.end(), node.promptKey) == m_promptKeys.end())
            m_promptKeys.push_back(node.promptKey);
        break;
    case Field::RequestedModel: break; // always in the key: it can pin a tier or a model whatever the rules
    }
}

namespace {

void putText(std::string &key, std::string_view text)
{
    const auto size = static_cast<std::uint32_t>(text.size());
    key.append(reinterpret_cast<const char *>(&size), sizeof size);
    key.append(text);
}

char flagChar(const std::optional<bool> &value)
{
    return !value ? 'n' : *value ? '1' : '0';
}

// A text the policy tests only for equality: which of the values it names this is (or none of them).
void putText(std::string &key, std::string_view text, const std::vector<std::string> &values, bool whole)
{
    if (whole) {
        putText(key, text);
        return;
    }
    // An empty text that no value names stays apart from other unnamed ones: it may mean "not recorded".
    const auto found = std::find(values.begin(), values.end(), text);
    const auto index = static_cast<std::uint16_t>(found != values.end() ? found - values.begin()
                                                  : text.empty()        ? 0xFFFE
                                                                        : 0xFFFF);
    key.append(reinterpret_cast<const char *>(&index), sizeof index);
}

// Where a number stands against each cut, which is all a comparison with any of them can tell.
void putOrder(std::string &key, double value, const std::vector<double> &cuts)
{
    for (double cut : cuts)
        key.push_back(value < cut ? '<' : value == cut ? '=' : '>');
}

} // namespace

void PolicyReplayer::buildKey(const UsageEvent &event, double complexity, std::int64_t inputTokens)
{
    std::string &key = m_key;
    key.clear();
    putText(key, event.requestedModel);
    for (const auto &[use, value] : {std::pair{&m_team, &event.team}, std::pair{&m_user, &event.user},
                                     std::pair{&m_app, &event.app}, std::pair{&m_task, &event.task}})
        if (use->used)
            putText(key, *value, use->values, use->whole);
    if (m_tags.used) {
        if (m_tags.whole) {
            key.push_back(static_cast<char>(std::min<std::size_t>(event.tags.size(), 127)));
            for (const std::string &tag : event.tags)
                putText(key, tag);
        } else {
            for (const std::string &named : m_tags.values)
                key.push_back(std::find(event.tags.begin(), event.tags.end(), named) != event.tags.end() ? '1' : '0');
        }
    }
    if (m_usesTools)
        key.push_back(flagChar(event.features.hasTools));
    if (m_usesImages)
        key.push_back(flagChar(event.features.hasImages));
    if (m_usesStream)
        key.push_back(flagChar(event.features.stream));
    if (!m_complexityCuts.empty()) {
        if (event.complexity)
            putOrder(key, std::clamp(complexity, 0.0, 1.0), m_complexityCuts);
        else
            key.push_back('n');
    }
    if (!m_tokenCuts.empty())
        putOrder(key, static_cast<double>(inputTokens), m_tokenCuts);
    if (!m_hourCuts.empty() || !m_weekdayCuts.empty()) {
        int hour = 0, weekday = 0;
        RoutingEngine::utcHourAndWeekday(event.timeMs, hour, weekday);
        putOrder(key, hour, m_hourCuts);
        putOrder(key, weekday, m_weekdayCuts);
    }
    for (const std::string &promptKey : m_promptKeys) {
        std::optional<bool> held;
        if (event.features.promptChecks)
            for (const PromptCheck &check : *event.features.promptChecks)
                if (check.key == promptKey) {
                    held = check.held;
                    break;
                }
        key.push_back(flagChar(held));
    }
    if (!m_policy->budgetGuard.empty()) {
        if (event.features.budgetUsed) {
            for (const BudgetGuardStep &step : m_policy->budgetGuard)
                key.push_back(*event.features.budgetUsed >= step.usedAtLeast ? '1' : '0');
        } else {
            key.push_back('n');
        }
    }
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

PolicyReplayer::Decided PolicyReplayer::decideOnce()
{
    const Decision decision = m_engine.decide(m_policy, m_request);
    Decided decided;
    decided.tier = decision.tier;
    decided.tierName = decision.tierName();
    decided.model.assign(decision.model);
    decided.rule = decision.ruleId();
    decided.blocked = decision.blocked;
    return decided;
}

void PolicyReplayer::decideAll(const UsageEvent &event, Decisions &out)
{
    RouteRequest &r = m_request;
    // An unrecorded budget use is tried at nothing used and at each guard step's threshold.
    std::vector<double> budgets{event.features.budgetUsed.value_or(0.0)};
    if (!event.features.budgetUsed && !m_policy->budgetGuard.empty()) {
        for (const BudgetGuardStep &step : m_policy->budgetGuard)
            budgets.push_back(step.usedAtLeast);
        out.reason = kBudgetUnknown;
    }
    std::size_t decisions = 0;
    for (double budget : budgets) {
        r.budgetUsed = budget;
        m_pending.assign(1, {});
        while (!m_pending.empty()) {
            m_assumed = std::move(m_pending.back());
            m_pending.pop_back();
            m_oracle.start(event, m_assumed);
            out.tried.push_back(decideOnce());
            ++decisions;
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
                out.tooMany = true;
            }
        }
    }
}

void PolicyReplayer::replay(const UsageEvent &event, EventReplay &out, std::optional<double> complexity)
{
    const double complexityValue = complexity ? *complexity : event.complexity.value_or(0.0);
    // The figure the decision used where recorded; else the measured prompt size, which it estimated.
    const std::int64_t inputTokens =
        event.features.inputTokens.value_or(event.tokens.input + event.tokens.cachedInput + event.tokens.cacheWrite);

    out.known = true;
    out.possible.clear();
    const std::string_view frontier = m_policy->tiers.front().models.front();
    out.frontierCostMicro = event.status == UsageStatus::Blocked ? 0 : costOf(frontier, event);

    // The decisions, from the memo when an event with the same inputs was decided before.
    buildKey(event, complexityValue, inputTokens);
    auto found = m_memo.find(m_key);
    if (found == m_memo.end()) {
        if (m_memo.size() >= kMaxMemo)
            m_memo.clear();
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
        r.complexity = complexityValue;
        r.task = taskFromName(event.task).value_or(Task::Chat);
        r.inputTokens = inputTokens;
        Decisions decisions;
        decideAll(event, decisions);
        found = m_memo.emplace(m_key, std::move(decisions)).first;
    }
    const Decisions &decisions = found->second;
    out.reason = decisions.reason;
    bool first = true;
    for (const Decided &decided : decisions.tried) {
        ReplayOutcome outcome;
        outcome.tier = decided.tier;
        outcome.tierName = decided.tierName;
        outcome.model = decided.model;
        outcome.rule = decided.rule;
        outcome.blocked = decided.blocked;
        price(event, outcome);
        if (first) {
            out.outcome = outcome;
            first = false;
        }
        if (std::none_of(out.possible.begin(), out.possible.end(),
                         [&](const ReplayOutcome &seen) { return seen.sameEffect(outcome); }))
            out.possible.push_back(outcome);
    }
    if (decisions.tooMany)
        out.known = false;
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

#include "routing/policywriter.h"

#include <array>

namespace rl {

using nlohmann::ordered_json;

namespace {

constexpr std::array<std::string_view, 7> kWeekdayNames = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

ordered_json numberValue(Field field, double value)
{
    switch (field) {
    case Field::Weekday: return std::string(kWeekdayNames[static_cast<std::size_t>(value) - 1]);
    case Field::InputTokens:
    case Field::HourUtc: return static_cast<std::int64_t>(value);
    default: return value;
    }
}

ordered_json money(std::int64_t microUsd)
{
    if (microUsd % 1'000'000 == 0)
        return microUsd / 1'000'000;
    return static_cast<double>(microUsd) / 1e6;
}

} // namespace

ordered_json PolicyWriter::conditionToJson(const Condition &condition)
{
    ordered_json out = ordered_json::object();
    switch (condition.kind) {
    case Condition::Kind::All:
    case Condition::Kind::Any: {
        ordered_json list = ordered_json::array();
        for (const Condition &child : condition.children)
            list.push_back(conditionToJson(child));
        out[condition.kind == Condition::Kind::All ? "all" : "any"] = std::move(list);
        return out;
    }
    case Condition::Kind::Not: out["not"] = conditionToJson(condition.children.front()); return out;
    case Condition::Kind::Leaf: break;
    }
    ordered_json value;
    const bool isList = condition.op == Op::In || condition.op == Op::NotIn || condition.op == Op::Between;
    switch (fieldKind(condition.field)) {
    case FieldKind::Number:
        if (isList) {
            value = ordered_json::array();
            for (double number : condition.numbers)
                value.push_back(numberValue(condition.field, number));
        } else {
            value = numberValue(condition.field, condition.numbers.front());
        }
        break;
    case FieldKind::Boolean: value = condition.boolean; break;
    default:
        if (isList)
            value = condition.texts;
        else
            value = condition.texts.front();
        break;
    }
    ordered_json test = ordered_json::object();
    test[std::string(opName(condition.op))] = std::move(value);
    out[std::string(fieldName(condition.field))] = std::move(test);
    return out;
}

ordered_json PolicyWriter::toJson(const Policy &policy)
{
    ordered_json out = ordered_json::object();
    out["schema"] = kPolicySchema;
    out["name"] = policy.name;
    if (!policy.description.empty())
        out["description"] = policy.description;
    out["version"] = policy.version;

    ordered_json tiers = ordered_json::array();
    for (const Tier &tier : policy.tiers)
        tiers.push_back(ordered_json{{"name", tier.name}, {"models", tier.models}});
    out["tiers"] = std::move(tiers);
    out["default_tier"] = policy.defaultTierName;

    ordered_json rules = ordered_json::array();
    for (const Rule &rule : policy.rules) {
        ordered_json item = ordered_json::object();
        item["id"] = rule.id;
        if (!rule.description.empty())
            item["description"] = rule.description;
        if (!rule.enabled)
            item["enabled"] = false;
        item["when"] = conditionToJson(rule.when);
        const char *key = rule.then.kind == RuleAction::Kind::Tier    ? "tier"
                          : rule.then.kind == RuleAction::Kind::Model ? "model"
                                                                      : "block";
        item["then"] = ordered_json{{key, rule.then.value}};
        rules.push_back(std::move(item));
    }
    out["rules"] = std::move(rules);

    if (!policy.budgetGuard.empty()) {
        ordered_json steps = ordered_json::array();
        for (const BudgetGuardStep &step : policy.budgetGuard) {
            ordered_json then = ordered_json::object();
            switch (step.action) {
            case BudgetGuardStep::Action::Downgrade: then["downgrade"] = step.downgradeBy; break;
            case BudgetGuardStep::Action::CapTier: then["cap_tier"] = step.tierName; break;
            case BudgetGuardStep::Action::Block: then["block"] = step.reason; break;
            }
            steps.push_back(ordered_json{{"used_at_least", step.usedAtLeast}, {"then", std::move(then)}});
        }
        out["budget_guard"] = std::move(steps);
    }

    if (policy.fallback.present)
        out["fallback"] = ordered_json{{"on", policy.fallback.on},
                                       {"max_attempts", policy.fallback.maxAttempts},
                                       {"across_tiers", policy.fallback.acrossTiers}};

    if (!policy.budgets.empty()) {
        ordered_json budgets = ordered_json::array();
        for (const Budget &budget : policy.budgets) {
            ordered_json scope = ordered_json::object();
            if (!budget.scope.team.empty())
                scope["team"] = budget.scope.team;
            if (!budget.scope.app.empty())
                scope["app"] = budget.scope.app;
            if (!budget.scope.user.empty())
                scope["user"] = budget.scope.user;
            ordered_json item{
                {"scope", std::move(scope)}, {"period", budget.period}, {"limit_usd", money(budget.limitMicroUsd)}};
            if (budget.spentAtPublishMicroUsd)
                item["spent_usd_at_publish"] = money(*budget.spentAtPublishMicroUsd);
            budgets.push_back(std::move(item));
        }
        out["budgets"] = std::move(budgets);
    }
    return out;
}

std::string PolicyWriter::toText(const Policy &policy)
{
    return toJson(policy).dump(2) + "\n";
}

} // namespace rl

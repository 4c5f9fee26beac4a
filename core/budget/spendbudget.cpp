#include "budget/spendbudget.h"

#include <algorithm>
#include <charconv>

namespace rl {

namespace {

std::optional<int> parseInt(std::string_view text)
{
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

constexpr std::pair<SpendScope::Kind, const char *> kScopeKinds[] = {{SpendScope::Kind::Organisation, "org"},
                                                                     {SpendScope::Kind::Team, "team"},
                                                                     {SpendScope::Kind::App, "app"},
                                                                     {SpendScope::Kind::User, "user"},
                                                                     {SpendScope::Kind::Tag, "tag"}};

} // namespace

const char *SpendScope::kindName(Kind kind)
{
    for (const auto &[k, name] : kScopeKinds)
        if (k == kind)
            return name;
    return "org";
}

std::string SpendScope::text() const
{
    return kind == Kind::Organisation ? "org" : std::string(kindName(kind)) + ":" + name;
}

std::optional<SpendScope> SpendScope::parse(std::string_view text, std::string &error)
{
    if (text == "org" || text == "organisation" || text == "organization")
        return SpendScope{};
    const std::size_t colon = text.find(':');
    const std::string_view kind = text.substr(0, colon);
    for (const auto &[k, name] : kScopeKinds) {
        if (k == Kind::Organisation || kind != name)
            continue;
        const std::string_view value = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
        if (value.empty()) {
            error = "scope \"" + std::string(text) + "\" names no " + name + ": write " + name + ":NAME";
            return std::nullopt;
        }
        return SpendScope{k, std::string(value)};
    }
    error = "unknown scope \"" + std::string(text) + "\": use org, team:NAME, app:NAME, user:NAME or tag:NAME";
    return std::nullopt;
}

std::string BudgetEnforcement::text() const
{
    switch (kind) {
    case Kind::Notify: return "notify";
    case Kind::Downgrade: return "downgrade:" + std::to_string(downgradeBy);
    case Kind::Cap: return "cap:" + tier;
    case Kind::Block: return blockReason.empty() ? std::string("block") : "block:" + blockReason;
    }
    return "notify";
}

std::optional<BudgetEnforcement> BudgetEnforcement::parse(std::string_view text, std::string &error)
{
    const std::size_t colon = text.find(':');
    const std::string_view action = text.substr(0, colon);
    const std::string_view value = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
    BudgetEnforcement out;
    if (action == "notify" && value.empty())
        return out;
    if (action == "downgrade") {
        const std::optional<int> steps = value.empty() ? std::optional<int>(1) : parseInt(value);
        if (!steps || *steps < 1 || *steps > 9) {
            error = "\"" + std::string(text) + "\": downgrade takes a number of tiers from 1 to 9, as downgrade:1";
            return std::nullopt;
        }
        out.kind = Kind::Downgrade;
        out.downgradeBy = *steps;
        return out;
    }
    if (action == "cap") {
        if (value.empty()) {
            error = "\"" + std::string(text) + "\": cap needs a tier, as cap:light";
            return std::nullopt;
        }
        out.kind = Kind::Cap;
        out.tier = std::string(value);
        return out;
    }
    if (action == "block") {
        out.kind = Kind::Block;
        out.blockReason = std::string(value);
        return out;
    }
    error = "unknown action \"" + std::string(text) + "\": use notify, downgrade:N, cap:TIER or block";
    return std::nullopt;
}

std::string SpendBudget::periodText() const
{
    return period == BudgetPeriod::Rolling ? "rolling:" + std::to_string(rollingDays)
                                           : std::string(budgetPeriodName(period));
}

bool SpendBudget::parsePeriod(std::string_view text, BudgetPeriod &period, int &rollingDays, std::string &error)
{
    if (text.substr(0, 8) == "rolling:") {
        const std::optional<int> days = parseInt(text.substr(8));
        if (!days || *days < 1 || *days > 366) {
            error = "\"" + std::string(text) + "\": a rolling window is 1 to 366 days, as rolling:30";
            return false;
        }
        period = BudgetPeriod::Rolling;
        rollingDays = *days;
        return true;
    }
    if (text != "rolling" && budgetPeriodFromName(std::string(text), period)) {
        rollingDays = 0;
        return true;
    }
    error = "unknown period \"" + std::string(text) + "\": use day, week, month, quarter, year or rolling:N (N days)";
    return false;
}

std::string SpendBudget::label() const
{
    return (eachUser ? "each user of " + scope.text() : scope.text()) + " · " + periodText();
}

std::vector<std::string> SpendBudget::problems() const
{
    std::vector<std::string> out;
    if (scope.kind != SpendScope::Kind::Organisation && scope.name.empty())
        out.push_back("the scope names no " + std::string(SpendScope::kindName(scope.kind)));
    if (limitMicro <= 0)
        out.push_back("the amount must be above $0");
    if (period == BudgetPeriod::Rolling && (rollingDays < 1 || rollingDays > 366))
        out.push_back("a rolling window is 1 to 366 days");
    if (period == BudgetPeriod::Rolling && rollover)
        out.push_back("a rolling window has no periods to roll unused budget over between: turn rollover off");
    if (eachUser && rollover)
        out.push_back("a per-user limit does not roll over: turn rollover off");
    if (eachUser && scope.kind != SpendScope::Kind::Organisation && scope.kind != SpendScope::Kind::Team)
        out.push_back("a per-user limit applies to the users of the organisation or of one team");
    if (thresholdsPercent.empty())
        out.push_back("at least one threshold is needed (the default is 50,80,100)");
    for (std::size_t i = 0; i < thresholdsPercent.size(); ++i) {
        if (thresholdsPercent[i] < 1 || thresholdsPercent[i] > 1000)
            out.push_back("threshold " + std::to_string(thresholdsPercent[i]) + " % is outside 1–1000 %");
        if (i > 0 && thresholdsPercent[i] <= thresholdsPercent[i - 1])
            out.push_back("thresholds must rise: " + thresholdsText(thresholdsPercent));
    }
    if (enforcement.kind == BudgetEnforcement::Kind::Cap && enforcement.tier.empty())
        out.push_back("cap needs a tier");
    if (enforcement.kind == BudgetEnforcement::Kind::Downgrade
        && (enforcement.downgradeBy < 1 || enforcement.downgradeBy > 9))
        out.push_back("downgrade takes 1 to 9 tiers");
    return out;
}

std::string thresholdsText(const std::vector<int> &percents)
{
    std::string out;
    for (int p : percents)
        out += (out.empty() ? "" : ",") + std::to_string(p);
    return out;
}

std::optional<std::vector<int>> parseThresholds(std::string_view text, std::string &error)
{
    std::vector<int> out;
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        const std::string_view part = text.substr(0, comma);
        const std::optional<int> value = parseInt(part);
        if (!value) {
            error = "threshold \"" + std::string(part) + "\" is not a whole percentage: write them as 50,80,100";
            return std::nullopt;
        }
        out.push_back(*value);
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    }
    if (out.empty()) {
        error = "no thresholds given: write them as 50,80,100";
        return std::nullopt;
    }
    return out;
}

} // namespace rl

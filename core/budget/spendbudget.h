#pragma once

#include "error.h"
#include "store/orgcalendar.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rl {

// Whose spend a budget limits: the organisation, or one team, app, user or tag. Written "org", "team:legal",
// "app:chat", "user:alice@example.com", "tag:batch".
struct SpendScope {
    enum class Kind { Organisation, Team, App, User, Tag };
    Kind kind = Kind::Organisation;
    std::string name; // empty for the organisation

    std::string text() const;
    // nullopt with `error` naming the problem and the accepted forms.
    static std::optional<SpendScope> parse(std::string_view text, std::string &error);
    static const char *kindName(Kind kind); // "org", "team", "app", "user", "tag"
    bool operator==(const SpendScope &other) const = default;
};

// What happens when a budget is used up: notify only, or make the routers enforce it the way a policy's budget
// guard does (downgrade N tiers toward the cheapest, cap at a tier, or block). Written "notify", "downgrade:1",
// "cap:light", "block" or "block:reason".
struct BudgetEnforcement {
    enum class Kind { Notify, Downgrade, Cap, Block };
    Kind kind = Kind::Notify;
    int downgradeBy = 1;     // Downgrade
    std::string tier;        // Cap
    std::string blockReason; // Block; empty: a reason naming the budget

    std::string text() const;
    static std::optional<BudgetEnforcement> parse(std::string_view text, std::string &error);
    bool enforced() const { return kind != Kind::Notify; }
    bool operator==(const BudgetEnforcement &other) const = default;
};

// A budget as the admin set it (issue 15): a scope, a period cut in the organisation's time zone, an amount, the
// soft thresholds that alert, the hard action at 100 %, and whether unused budget rolls over into the next
// period. `eachUser`: the limit applies to every single user within the scope (a per-user allowance), not to the
// scope's total.
struct SpendBudget {
    std::int64_t id = 0; // the store's; 0 before it is saved
    SpendScope scope;
    bool eachUser = false;
    BudgetPeriod period = BudgetPeriod::Month;
    int rollingDays = 0; // Rolling: the window's length in days
    std::int64_t limitMicro = 0;
    std::vector<int> thresholdsPercent{50, 80, 100}; // ascending, each 1–1000
    BudgetEnforcement enforcement;
    bool rollover = false; // calendar periods only: last period's unused amount is added to this one's
    std::int64_t updatedMs = 0;

    // "month", "quarter", "rolling:30".
    std::string periodText() const;
    static bool parsePeriod(std::string_view text, BudgetPeriod &period, int &rollingDays, std::string &error);
    // "team:legal · month" or "each user of team:legal · rolling:7": how lists and alerts name it.
    std::string label() const;
    // Every problem with the values, one message each (empty: valid).
    std::vector<std::string> problems() const;
    bool sameTarget(const SpendBudget &other) const // the store keeps one budget per scope, "each user" and period
    {
        return scope == other.scope && eachUser == other.eachUser && period == other.period
               && rollingDays == other.rollingDays;
    }
};

// "50,80,100" and back.
std::string thresholdsText(const std::vector<int> &percents);
std::optional<std::vector<int>> parseThresholds(std::string_view text, std::string &error);

} // namespace rl

#pragma once

#include "budget/spendbudget.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rl {

struct UserSpend {
    std::string user;
    std::int64_t spentMicro = 0;
};

// Where a budget stands at one moment (BudgetEvaluator): its current period, what was spent in it, the
// forecast at the period's end and the day the forecast runs out, the thresholds reached.
struct BudgetState {
    enum class Status { Ok, Warning, Over };

    SpendBudget budget;
    std::int64_t firstDay = 0, endDay = 0;           // the current period's days [firstDay, endDay)
    std::int64_t periodStartMs = 0, periodEndMs = 0; // the same in UTC ms
    std::int64_t today = 0;
    std::int64_t carriedMicro = 0; // rollover: the last period's unused amount
    std::int64_t limitMicro = 0;   // the budget's amount plus what was carried
    // Spent in the period so far; for a per-user budget, by the user who spent the most.
    std::int64_t spentMicro = 0;
    // At the period's end (a rolling window: the most the window will hold over the next N days) by the
    // forecast's method; for a per-user budget, the heaviest user's.
    std::int64_t forecastMicro = 0;
    std::optional<std::int64_t> runOutDay; // the first day the forecast reaches the limit, within the period
    std::string forecastMethod;            // how the rest of the period was projected, in words
    int reachedPercent = 0;                // the highest threshold reached (0: none)
    Status status = Status::Ok; // Over: spent ≥ limit; Warning: a threshold reached or forecast over the limit
    // Spend per day of the period up to today (index 0 = firstDay), for the burn-down chart; for a per-user
    // budget, the heaviest user's.
    std::vector<std::int64_t> dailyMicro;
    // Per-user budgets: users who spent in the period, those at or over the limit, and the heaviest (top 10).
    std::int64_t activeUsers = 0, usersOver = 0;
    std::vector<UserSpend> heaviestUsers;

    double used() const
    {
        return limitMicro > 0 ? static_cast<double>(spentMicro) / static_cast<double>(limitMicro) : 0.0;
    }
    double forecastUsed() const
    {
        return limitMicro > 0 ? static_cast<double>(forecastMicro) / static_cast<double>(limitMicro) : 0.0;
    }
    static const char *statusName(Status status); // "ok", "warning", "over"
};

} // namespace rl

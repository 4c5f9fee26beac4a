#pragma once

#include "budget/spendbudget.h"

#include <nlohmann/json.hpp>

namespace rl {

// Budgets as JSON, for the audit log (canonical: keys in a fixed order) and the CLI's --json.
class BudgetJson {
public:
    // {"id", "scope", "each_user", "period", "limit_micro_usd", "thresholds_percent", "enforce", "rollover"}.
    static nlohmann::ordered_json write(const SpendBudget &budget);
};

} // namespace rl

#pragma once

#include "budget/spendbudget.h"

#include <cstdint>
#include <string>

namespace testdata {

// A team's own budget (not per user) with the defaults: thresholds 50/80/100 %, notify only, no rollover.
inline rl::SpendBudget teamBudget(const std::string &team, rl::BudgetPeriod period, std::int64_t limitMicro)
{
    rl::SpendBudget budget;
    budget.scope = {rl::SpendScope::Kind::Team, team};
    budget.period = period;
    budget.limitMicro = limitMicro;
    return budget;
}

} // namespace testdata

#pragma once

#include "error.h"
#include "store/dimensionids.h"
#include "store/orgcalendar.h"
#include "store/sqlitedatabase.h"

#include <cstdint>
#include <string>
#include <vector>

namespace rl {

struct TeamBudget {
    std::string team;
    BudgetPeriod period = BudgetPeriod::Month;
    std::int64_t limitMicro = 0;
};

// A store's team budgets: one per team, a period and a limit. Works on the store writer's connection and
// its name ids; UsageStore forwards to it.
class StoreBudgets {
public:
    StoreBudgets(SqliteDatabase &database, DimensionIds &ids) : m_db(database), m_ids(ids) {}

    // Replaces the team's budget, if it has one.
    Result<void> set(const TeamBudget &budget);
    Result<void> remove(const std::string &team);
    Result<std::vector<TeamBudget>> all(); // by team name

private:
    SqliteDatabase &m_db;
    DimensionIds &m_ids;
};

} // namespace rl

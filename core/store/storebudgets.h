#pragma once

#include "budget/spendbudget.h"
#include "error.h"
#include "store/sqlitedatabase.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace rl {

// A store's budgets (table budgets, schema 9): one per scope, "each user" and period. Works on the store
// writer's connection; UsageStore forwards to it and writes the audit log.
class StoreBudgets {
public:
    explicit StoreBudgets(SqliteDatabase &database) : m_db(database) {}

    // By scope, then period.
    Result<std::vector<SpendBudget>> all();
    // Saves `budget`: as the budget with its id when it has one, else as the budget with the same scope,
    // "each user" and period when there is one (its id is kept), else as a new budget. Returns what was
    // stored, with its id. `budget.invalid` lists every problem; `budget.duplicate` when an edit would give
    // a budget the target of another.
    Result<SpendBudget> save(SpendBudget budget, std::int64_t nowMs);
    // The budget removed; `budget.unknown` when there is none with that id.
    Result<SpendBudget> remove(std::int64_t id);

private:
    SqliteDatabase &m_db;
};

} // namespace rl

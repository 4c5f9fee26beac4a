#include "store/storebudgets.h"

#include <algorithm>

namespace rl {

namespace {

constexpr const char *kColumns =
    "id, scope, each_user, period, limit_micro, thresholds, enforcement, rollover, updated_ms";

// A stored row back as a budget; a value this version cannot read is reported, not guessed.
Result<SpendBudget> fromRow(const SqliteStatement &row)
{
    SpendBudget b;
    b.id = row.int64(0);
    std::string error;
    std::optional<SpendScope> scope = SpendScope::parse(row.text(1), error);
    b.eachUser = row.int64(2) != 0;
    const bool periodRead = SpendBudget::parsePeriod(row.text(3), b.period, b.rollingDays, error);
    b.limitMicro = row.int64(4);
    std::optional<std::vector<int>> thresholds = parseThresholds(row.text(5), error);
    std::optional<BudgetEnforcement> enforcement = BudgetEnforcement::parse(row.text(6), error);
    b.rollover = row.int64(7) != 0;
    b.updatedMs = row.int64(8);
    if (!scope || !periodRead || !thresholds || !enforcement)
        return Error{"store.damaged",
                     "budget " + std::to_string(b.id) + " cannot be read (" + error
                         + "); the store may have been written by a newer RouteLedger or edited by hand",
                     false};
    b.scope = std::move(*scope);
    b.thresholdsPercent = std::move(*thresholds);
    b.enforcement = std::move(*enforcement);
    return b;
}

} // namespace

Result<std::vector<SpendBudget>> StoreBudgets::all()
{
    Result<SqliteStatement> query =
        m_db.prepare(std::string("SELECT ") + kColumns + " FROM budgets ORDER BY scope, each_user, period, id");
    if (!query)
        return query.error();
    std::vector<SpendBudget> out;
    if (Result<void> read = query->forEachRow([&]() -> Result<void> {
            Result<SpendBudget> budget = fromRow(query.value());
            if (!budget)
                return budget.error();
            out.push_back(std::move(budget).value());
            return {};
        });
        !read)
        return read.error();
    return out;
}

Result<SpendBudget> StoreBudgets::save(SpendBudget budget, std::int64_t nowMs)
{
    if (const std::vector<std::string> problems = budget.problems(); !problems.empty()) {
        std::string message = "the budget for " + budget.label() + " was not saved: ";
        for (std::size_t i = 0; i < problems.size(); ++i)
            message += (i ? "; " : "") + problems[i];
        return Error{"budget.invalid", message, false};
    }
    Result<std::vector<SpendBudget>> existing = all();
    if (!existing)
        return existing.error();
    for (const SpendBudget &other : existing.value()) {
        if (!other.sameTarget(budget))
            continue;
        if (budget.id == 0)
            budget.id = other.id; // the same target: this saves over it
        else if (other.id != budget.id)
            return Error{"budget.duplicate",
                         "there is already a budget for " + other.label() + " (id " + std::to_string(other.id)
                             + "): change that one, or choose another period",
                         false};
    }
    if (budget.id != 0
        && std::none_of(existing->begin(), existing->end(), [&](const SpendBudget &b) { return b.id == budget.id; }))
        return Error{"budget.unknown", "there is no budget with id " + std::to_string(budget.id), false};
    budget.updatedMs = nowMs;
    Result<SqliteStatement> save = m_db.prepare(
        budget.id == 0
            ? "INSERT INTO budgets (scope, each_user, period, limit_micro, thresholds, enforcement, rollover, "
              "updated_ms) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            : "UPDATE budgets SET scope = ?2, each_user = ?3, period = ?4, limit_micro = ?5, thresholds = ?6, "
              "enforcement = ?7, rollover = ?8, updated_ms = ?9 WHERE id = ?1");
    if (!save)
        return save.error();
    if (budget.id != 0)
        save->bind(1, budget.id);
    save->bind(2, budget.scope.text()).bind(3, budget.eachUser ? 1 : 0).bind(4, budget.periodText());
    save->bind(5, budget.limitMicro).bind(6, thresholdsText(budget.thresholdsPercent));
    save->bind(7, budget.enforcement.text()).bind(8, budget.rollover ? 1 : 0).bind(9, budget.updatedMs);
    if (Result<void> saved = save->run(); !saved)
        return saved.error();
    if (budget.id == 0)
        budget.id = m_db.lastInsertId();
    return budget;
}

Result<SpendBudget> StoreBudgets::remove(std::int64_t id)
{
    Result<SqliteStatement> query = m_db.prepare(std::string("SELECT ") + kColumns + " FROM budgets WHERE id = ?1");
    if (!query)
        return query.error();
    query->bind(1, id);
    Result<bool> found = query->step();
    if (!found)
        return found.error();
    if (!found.value())
        return Error{"budget.unknown", "there is no budget with id " + std::to_string(id), false};
    Result<SpendBudget> budget = fromRow(query.value());
    if (!budget)
        return budget.error();
    Result<SqliteStatement> remove = m_db.prepare("DELETE FROM budgets WHERE id = ?1");
    if (!remove)
        return remove.error();
    remove->bind(1, id);
    if (Result<void> removed = remove->run(); !removed)
        return removed.error();
    return budget;
}

} // namespace rl

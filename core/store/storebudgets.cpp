#include "store/storebudgets.h"

namespace rl {

Result<void> StoreBudgets::set(const TeamBudget &budget)
{
    if (budget.team.empty() || budget.limitMicro <= 0)
        return Error{"budget.invalid", "a budget needs a team and an amount above $0", false};
    Result<std::int64_t> team = m_ids.dimension(m_db, "teams", budget.team);
    if (!team)
        return team.error();
    Result<SqliteStatement> save =
        m_db.prepare("INSERT INTO budgets VALUES (?1, ?2, ?3, 0) ON CONFLICT DO UPDATE SET period = excluded.period, "
                     "limit_micro = excluded.limit_micro");
    if (!save)
        return save.error();
    save->bind(1, team.value()).bind(2, std::string_view(budgetPeriodName(budget.period))).bind(3, budget.limitMicro);
    return save->run();
}

Result<void> StoreBudgets::remove(const std::string &team)
{
    Result<SqliteStatement> remove =
        m_db.prepare("DELETE FROM budgets WHERE team_id = (SELECT id FROM teams WHERE name = ?1)");
    if (!remove)
        return remove.error();
    remove->bind(1, team);
    return remove->run();
}

Result<std::vector<TeamBudget>> StoreBudgets::all()
{
    Result<SqliteStatement> query = m_db.prepare(
        "SELECT t.name, b.period, b.limit_micro FROM budgets b JOIN teams t ON t.id = b.team_id ORDER BY t.name");
    if (!query)
        return query.error();
    std::vector<TeamBudget> out;
    if (Result<void> rowsRead = query->forEachRow([&] {
            TeamBudget budget;
            budget.team = query->text(0);
            budgetPeriodFromName(query->text(1), budget.period);
            budget.limitMicro = query->int64(2);
            out.push_back(std::move(budget));
        });
        !rowsRead)
        return rowsRead.error();
    return out;
}

} // namespace rl

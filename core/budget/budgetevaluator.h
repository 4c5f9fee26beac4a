#pragma once

#include "budget/budgetstate.h"
#include "error.h"
#include "store/orgcalendar.h"
#include "store/sqlitedatabase.h"

#include <cstdint>
#include <vector>

namespace rl {

// Where each budget stands at a moment (issue 15): the current period cut in the organisation's calendar,
// its spend from the rollups (the sources counted in spend; per-user spend from the per-user rollups, which
// count every source), rollover from the period before, the thresholds reached, and a forecast at the period's
// end: each remaining day is projected as the same weekday of the last 7 complete days (a weekday-aware 7-day
// run rate), with simpler rates while the store holds less history. Reads only, on any connection to a store
// of the latest schema; a few queries whatever the number of budgets, so it can run after every ingest.
class BudgetEvaluator {
public:
    BudgetEvaluator(SqliteDatabase &db, const OrgCalendar &calendar) : m_db(db), m_calendar(calendar) {}

    // The states of `budgets` at `nowMs`, in the same order.
    Result<std::vector<BudgetState>> evaluate(const std::vector<SpendBudget> &budgets, std::int64_t nowMs);
    // The stored budgets, evaluated.
    Result<std::vector<BudgetState>> evaluateStored(std::int64_t nowMs);

    // Spend per day in [fromDay, toDay], index 0 = fromDay. `projectFrom`: the first day to project (today).
    struct Projection {
        std::vector<std::int64_t> fullDays; // a full day's spend projected for today + i (i = 0, 1, …)
        std::string method;
    };
    // How the days from `today` on are projected from the daily spend `history` (index 0 = `historyFrom`, up to
    // and including today), given the first day the store has data and the fraction of today gone.
    static Projection project(const std::vector<std::int64_t> &history, std::int64_t historyFrom, std::int64_t today,
                              std::int64_t firstDataDay, double todayElapsed, int days);

private:
    SqliteDatabase &m_db;
    const OrgCalendar &m_calendar;
};

} // namespace rl

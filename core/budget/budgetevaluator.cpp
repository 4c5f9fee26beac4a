#include "budget/budgetevaluator.h"

#include "store/storebudgets.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace rl {

namespace {

constexpr int kRunRateDays = 7;
constexpr std::size_t kHeaviestUsers = 10;
constexpr const char *kInSpend = " AND source_id NOT IN (SELECT id FROM sources WHERE in_spend = 0)";

using Series = std::vector<std::int64_t>; // spend per day, index 0 = the evaluation's first day

// What one query gave: per key (a team, app or user id, or 0), spend per day.
using SeriesByKey = std::map<std::int64_t, Series>;

Result<SeriesByKey> readSeries(SqliteDatabase &db, const std::string &sql, const std::vector<std::string> &texts,
                               std::int64_t fromDay, std::int64_t today)
{
    Result<SqliteStatement> query = db.prepare(sql);
    if (!query)
        return query.error();
    query->bind(1, fromDay).bind(2, today);
    for (std::size_t i = 0; i < texts.size(); ++i)
        query->bind(static_cast<int>(i + 3), std::string_view(texts[i]));
    SeriesByKey out;
    const auto days = static_cast<std::size_t>(today - fromDay + 1);
    if (Result<void> read = query->forEachRow([&] {
            Series &series = out[query->int64(0)];
            if (series.empty())
                series.assign(days, 0);
            series[static_cast<std::size_t>(query->int64(1) - fromDay)] += std::llround(query->real(2));
        });
        !read)
        return read.error();
    return out;
}

std::int64_t sumDays(const Series &series, std::int64_t seriesFrom, std::int64_t first, std::int64_t end)
{
    std::int64_t sum = 0;
    for (std::int64_t day = std::max(first, seriesFrom); day < end; ++day) {
        const auto i = static_cast<std::size_t>(day - seriesFrom);
        if (i < series.size())
            sum += series[i];
    }
    return sum;
}

int reachedPercent(const SpendBudget &budget, std::int64_t spent, std::int64_t limit)
{
    int reached = 0;
    for (int t : budget.thresholdsPercent)
        if (limit > 0 && static_cast<double>(spent) * 100.0 >= static_cast<double>(t) * static_cast<double>(limit))
            reached = t;
    return reached;
}

} // namespace

const char *BudgetState::statusName(Status status)
{
    switch (status) {
    case Status::Ok: return "ok";
    case Status::Warning: return "warning";
    case Status::Over: return "over";
    }
    return "ok";
}

BudgetEvaluator::Projection BudgetEvaluator::project(const std::vector<std::int64_t> &history, std::int64_t historyFrom,
                                                     std::int64_t today, std::int64_t firstDataDay, double todayElapsed,
                                                     int days)
{
    Projection out;
    out.fullDays.assign(static_cast<std::size_t>(std::max(days, 0)), 0);
    const auto spentOn = [&](std::int64_t day) -> std::int64_t {
        const std::int64_t i = day - historyFrom;
        return i >= 0 && static_cast<std::size_t>(i) < history.size() ? history[static_cast<std::size_t>(i)] : 0;
    };
    // The complete days of the last week that the store has data for.
    const std::int64_t firstHistory = std::max(today - kRunRateDays, firstDataDay);
    const std::int64_t complete = std::max<std::int64_t>(today - firstHistory, 0);
    if (complete >= kRunRateDays) {
        out.method = "each remaining day as the same weekday of the last 7 days (weekday-aware 7-day run rate)";
        for (int i = 0; i < days; ++i)
            out.fullDays[static_cast<std::size_t>(i)] = spentOn(today - kRunRateDays + i % kRunRateDays);
        return out;
    }
    double rate = 0;
    if (complete > 0) {
        rate = static_cast<double>(sumDays(history, historyFrom, firstHistory, today)) / static_cast<double>(complete);
        out.method = "the daily average of the " + std::to_string(complete)
                     + (complete == 1 ? " complete day" : " complete days") + " with data (less than a week so far)";
    } else if (todayElapsed >= 1.0 / 24.0) {
        rate = static_cast<double>(spentOn(today)) / todayElapsed;
        out.method = "today's spend so far, stretched over the day (no complete day of data yet)";
    } else {
        out.method = "no spend history yet";
    }
    for (std::int64_t &day : out.fullDays)
        day = std::llround(rate);
    return out;
}

Result<std::vector<BudgetState>> BudgetEvaluator::evaluateStored(std::int64_t nowMs)
{
    Result<std::vector<SpendBudget>> budgets = StoreBudgets(m_db).all();
    if (!budgets)
        return budgets.error();
    return evaluate(budgets.value(), nowMs);
}

Result<std::vector<BudgetState>> BudgetEvaluator::evaluate(const std::vector<SpendBudget> &budgets, std::int64_t nowMs)
{
    std::vector<BudgetState> states(budgets.size());
    if (budgets.empty())
        return states;
    const std::int64_t today = m_calendar.dayOf(nowMs);
    const std::int64_t todayStartMs = m_calendar.dayStartMs(today);
    const double todayElapsed = std::clamp(
        static_cast<double>(nowMs - todayStartMs)
            / static_cast<double>(std::max<std::int64_t>(m_calendar.dayStartMs(today + 1) - todayStartMs, 1)),
        0.0, 1.0);

    // Each budget's period, and the first day any of them needs (the period before, for rollover; the last
    // week, for the run rate).
    std::int64_t fromDay = today - kRunRateDays;
    for (std::size_t i = 0; i < budgets.size(); ++i) {
        BudgetState &s = states[i];
        s.budget = budgets[i];
        s.today = today;
        m_calendar.periodContaining(today, s.budget.period, s.firstDay, s.endDay, s.budget.rollingDays);
        s.periodStartMs = m_calendar.dayStartMs(s.firstDay);
        s.periodEndMs = m_calendar.dayStartMs(s.endDay);
        fromDay = std::min(fromDay, s.firstDay);
        if (s.budget.rollover && s.budget.period != BudgetPeriod::Rolling) {
            std::int64_t previousFirst = 0, previousEnd = 0;
            m_calendar.periodContaining(s.firstDay - 1, s.budget.period, previousFirst, previousEnd);
            fromDay = std::min(fromDay, previousFirst);
        }
    }

    std::int64_t firstDataDay = today;
    {
        Result<SqliteStatement> first = m_db.prepare("SELECT min(day) FROM daily_rollups WHERE requests > 0");
        if (!first)
            return first.error();
        Result<bool> row = first->step();
        if (!row)
            return row.error();
        if (row.value() && !first->isNull(0))
            firstDataDay = first->int64(0);
    }

    // Teams and apps in one query each, whatever the number of their budgets; the organisation from the teams.
    const bool needTeams = std::any_of(budgets.begin(), budgets.end(), [](const SpendBudget &b) {
        return !b.eachUser
               && (b.scope.kind == SpendScope::Kind::Team || b.scope.kind == SpendScope::Kind::Organisation);
    });
    const bool needApps = std::any_of(budgets.begin(), budgets.end(),
                                      [](const SpendBudget &b) { return b.scope.kind == SpendScope::Kind::App; });
    SeriesByKey byTeam, byApp;
    std::map<std::string, std::int64_t> teamIds, appIds;
    if (needTeams) {
        Result<SeriesByKey> read = readSeries(
            m_db,
            std::string("SELECT team_id, day, total(cost_micro) FROM daily_rollups WHERE day >= ?1 AND day <= ?2")
                + kInSpend + " GROUP BY team_id, day",
            {}, fromDay, today);
        if (!read)
            return read.error();
        byTeam = std::move(read).value();
    }
    if (needApps) {
        Result<SeriesByKey> read = readSeries(
            m_db,
            std::string("SELECT app_id, day, total(cost_micro) FROM daily_rollups WHERE day >= ?1 AND day <= ?2")
                + kInSpend + " GROUP BY app_id, day",
            {}, fromDay, today);
        if (!read)
            return read.error();
        byApp = std::move(read).value();
    }
    for (auto [table, ids] : {std::pair{"teams", &teamIds}, std::pair{"apps", &appIds}}) {
        if ((ids == &teamIds && !needTeams) || (ids == &appIds && !needApps))
            continue;
        Result<SqliteStatement> names = m_db.prepare(std::string("SELECT name, id FROM ") + table);
        if (!names)
            return names.error();
        if (Result<void> read = names->forEachRow([&] { (*ids)[names->text(0)] = names->int64(1); }); !read)
            return read.error();
    }
    const auto days = static_cast<std::size_t>(today - fromDay + 1);
    Series organisation(days, 0);
    for (const auto &[team, series] : byTeam)
        for (std::size_t d = 0; d < days; ++d)
            organisation[d] += series[d];

    for (BudgetState &s : states) {
        const SpendBudget &b = s.budget;
        Series series(days, 0);
        SeriesByKey users; // per-user budgets: each user's series
        std::map<std::int64_t, std::string> userNames;
        if (b.eachUser) {
            std::string sql = "SELECT r.user_id, r.day, total(r.cost_micro) FROM user_rollups r WHERE r.day >= ?1 AND "
                              "r.day <= ?2";
            std::vector<std::string> texts;
            if (b.scope.kind == SpendScope::Kind::Team) {
                sql += " AND r.team_id = (SELECT id FROM teams WHERE name = ?3)";
                texts.push_back(b.scope.name);
            }
            Result<SeriesByKey> read = readSeries(m_db, sql + " GROUP BY r.user_id, r.day", texts, fromDay, today);
            if (!read)
                return read.error();
            users = std::move(read).value();
        } else {
            switch (b.scope.kind) {
            case SpendScope::Kind::Organisation: series = organisation; break;
            case SpendScope::Kind::Team:
            case SpendScope::Kind::App: {
                const auto &ids = b.scope.kind == SpendScope::Kind::Team ? teamIds : appIds;
                const auto &byKey = b.scope.kind == SpendScope::Kind::Team ? byTeam : byApp;
                if (auto id = ids.find(b.scope.name); id != ids.end())
                    if (auto found = byKey.find(id->second); found != byKey.end())
                        series = found->second;
                break;
            }
            case SpendScope::Kind::User:
            case SpendScope::Kind::Tag: {
                const bool user = b.scope.kind == SpendScope::Kind::User;
                const std::string sql =
                    user
                        ? "SELECT 0, day, total(cost_micro) FROM user_rollups WHERE day >= ?1 AND day <= ?2 AND "
                          "user_id = (SELECT id FROM users WHERE name = ?3) GROUP BY day"
                        : std::string("SELECT 0, day, total(cost_micro) FROM tag_rollups WHERE day >= ?1 AND day <= ?2 "
                                      "AND tag = ?3")
                              + kInSpend + " GROUP BY day";
                Result<SeriesByKey> read = readSeries(m_db, sql, {b.scope.name}, fromDay, today);
                if (!read)
                    return read.error();
                if (!read->empty())
                    series = read->begin()->second;
                break;
            }
            }
        }

        const bool rolling = b.period == BudgetPeriod::Rolling;
        s.limitMicro = b.limitMicro;
        if (b.rollover && !rolling) {
            std::int64_t previousFirst = 0, previousEnd = 0;
            m_calendar.periodContaining(s.firstDay - 1, b.period, previousFirst, previousEnd);
            s.carriedMicro =
                std::max<std::int64_t>(b.limitMicro - sumDays(series, fromDay, previousFirst, previousEnd), 0);
            s.limitMicro += s.carriedMicro;
        }

        // A per-user budget follows its heaviest user; the others are counted.
        if (b.eachUser) {
            std::vector<std::pair<std::int64_t, std::int64_t>> spends; // (spent, user id)
            for (const auto &[user, userSeries] : users) {
                const std::int64_t spent = sumDays(userSeries, fromDay, s.firstDay, today + 1);
                if (spent <= 0)
                    continue;
                ++s.activeUsers;
                s.usersOver += spent >= s.limitMicro ? 1 : 0;
                spends.emplace_back(spent, user);
            }
            std::sort(spends.begin(), spends.end(), [](const auto &x, const auto &y) {
                return x.first != y.first ? x.first > y.first : x.second < y.second;
            });
            if (!spends.empty())
                series = users[spends.front().second];
            Result<SqliteStatement> name = m_db.prepare("SELECT name FROM users WHERE id = ?1");
            if (!name)
                return name.error();
            for (std::size_t i = 0; i < spends.size() && i < kHeaviestUsers; ++i) {
                name->bind(1, spends[i].second);
                Result<bool> row = name->step();
                if (!row)
                    return row.error();
                s.heaviestUsers.push_back({row.value() ? name->text(0) : std::string(), spends[i].first});
                name->reset();
            }
        }

        s.spentMicro = sumDays(series, fromDay, s.firstDay, today + 1);
        for (std::int64_t day = s.firstDay; day <= today; ++day)
            s.dailyMicro.push_back(sumDays(series, fromDay, day, day + 1));

        // The forecast: today's rest and every later day of the period (a rolling window: the next N days).
        const std::int64_t ahead = rolling ? b.rollingDays : s.endDay - today;
        const Projection projection = project(series, fromDay, today, firstDataDay, todayElapsed,
                                              static_cast<int>(std::max<std::int64_t>(ahead, 1)));
        s.forecastMethod = projection.method;
        // The rest of today at the projected day's rate.
        const std::int64_t restOfToday =
            std::llround(static_cast<double>(projection.fullDays[0]) * (1.0 - todayElapsed));
        if (rolling) {
            // The window ending on today + j holds its actual days and the projected ones.
            s.forecastMicro = 0;
            for (std::int64_t j = 0; j < ahead; ++j) {
                const std::int64_t end = today + j;
                std::int64_t window = sumDays(series, fromDay, end - b.rollingDays + 1, today + 1) + restOfToday;
                for (std::int64_t d = today + 1; d <= end; ++d)
                    window += projection.fullDays[static_cast<std::size_t>(d - today)];
                s.forecastMicro = std::max(s.forecastMicro, window);
                if (!s.runOutDay && window >= s.limitMicro)
                    s.runOutDay = end;
            }
            if (s.spentMicro >= s.limitMicro)
                s.runOutDay = today;
        } else {
            std::int64_t cumulative = 0;
            for (std::int64_t day = s.firstDay; day <= today && !s.runOutDay; ++day) {
                cumulative += sumDays(series, fromDay, day, day + 1);
                if (cumulative >= s.limitMicro)
                    s.runOutDay = day;
            }
            cumulative = s.spentMicro + restOfToday;
            if (!s.runOutDay && cumulative >= s.limitMicro)
                s.runOutDay = today;
            for (std::int64_t day = today + 1; day < s.endDay; ++day) {
                cumulative += projection.fullDays[static_cast<std::size_t>(day - today)];
                if (!s.runOutDay && cumulative >= s.limitMicro)
                    s.runOutDay = day;
            }
            s.forecastMicro = cumulative;
        }
        s.reachedPercent = reachedPercent(b, s.spentMicro, s.limitMicro);
        s.status = s.spentMicro >= s.limitMicro                              ? BudgetState::Status::Over
                   : s.reachedPercent > 0 || s.forecastMicro >= s.limitMicro ? BudgetState::Status::Warning
                                                                             : BudgetState::Status::Ok;
    }
    return states;
}

} // namespace rl

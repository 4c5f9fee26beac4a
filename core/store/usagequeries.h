#pragma once

#include "budget/budgetstate.h"
#include "error.h"
#include "store/orgcalendar.h"
#include "store/sqlitedatabase.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rl {

// What a page asks about: a range of the organisation's days [fromDay, toDay) and optional filters.
struct UsageFilter {
    std::int64_t fromDay = 0;
    std::int64_t toDay = 0;
    std::string team, app, source, tier, model; // empty: all
};

struct UsageTotals {
    std::int64_t requests = 0, errors = 0, blocked = 0, fallbacks = 0, unpriced = 0;
    std::int64_t unmetered = 0;        // answered without usable token counts: their cost is not in costMicro
    std::int64_t frontierRequests = 0; // served by the most capable tier
    std::int64_t inputTokens = 0, outputTokens = 0;
    std::int64_t costMicro = 0, frontierCostMicro = 0, reportedCostMicro = 0;
    std::int64_t savedMicro() const { return frontierCostMicro - costMicro; }
};

struct DayTierSpend {
    std::int64_t day = 0;
    std::string tier; // empty: not routed by tier (provider buckets, blocked requests)
    int tierRank = -1;
    std::int64_t requests = 0;
    std::int64_t costMicro = 0;
};

// One hour of one tier: the series a period of a day or two is drawn with. `hourMs` is the UTC start of the
// hour, counted from the organisation's midnight of the filter's first day (so half-hour zones stay aligned).
struct HourTierSpend {
    std::int64_t hourMs = 0;
    std::string tier; // empty: not routed by tier (provider buckets, blocked requests)
    int tierRank = -1;
    std::int64_t requests = 0, errors = 0, fallbacks = 0, blocked = 0;
    std::int64_t costMicro = 0;
};

struct MixRow {
    std::string tier;
    int tierRank = -1;
    std::string rule;
    std::int64_t requests = 0;
    std::int64_t costMicro = 0;
};

struct TeamSpend {
    std::string team; // empty: unassigned
    std::int64_t requests = 0;
    std::int64_t costMicro = 0;
    std::int64_t frontierCostMicro = 0;
};

struct DayQuality {
    std::int64_t day = 0;
    std::int64_t requests = 0, errors = 0, fallbacks = 0, blocked = 0;
};

struct ModelLatency {
    std::string model;
    std::int64_t requests = 0;
    double meanMs = 0, p50Ms = 0, p95Ms = 0;
};

// One line of a team's drill-down: spend by model, app or user.
struct TeamBreakdownRow {
    std::string team;
    std::string dimension; // "model", "app" or "user"
    std::string name;      // empty: none / unassigned
    std::int64_t requests = 0;
    std::int64_t costMicro = 0;
};

struct PolicyVersionMark {
    std::string source;
    std::int64_t version = 0;
    std::int64_t firstSeenMs = 0;
};

// The budget that applies to a range of days [fromDay, toDay) for a budget of `limitMicro` per `period`:
// when the range starts where a budget period starts and ends where one ends or at `endOfToday` (it runs to
// now, like "This month"), the whole periods it touches (this month's budget for "This month"); otherwise
// the budget pro-rated to the range's days (a month's budget spread evenly over its days).
struct RangeBudget {
    std::int64_t limitMicro = 0;
    bool prorated = false;
    int wholePeriods = 0; // when not pro-rated
};
// A rolling window of `rollingDays` is always pro-rated: its budget per day is the amount over its days.
RangeBudget budgetForRange(const OrgCalendar &calendar, BudgetPeriod period, std::int64_t limitMicro,
                           std::int64_t fromDay, std::int64_t toDay, std::int64_t endOfToday, int rollingDays = 0);

// Read-only queries behind the dashboard pages. They read daily rollups, never raw events, through their
// own connection, so they run on a worker thread while the store's writer ingests (WAL).
class UsageQueries {
public:
    static Result<UsageQueries> open(const std::string &path);

    const OrgCalendar &calendar() const { return m_calendar; }
    bool isDemo() const { return m_demo; }
    // The first and last day with data, or nullopt for an empty store.
    Result<std::optional<std::pair<std::int64_t, std::int64_t>>> dataRange();

    Result<UsageTotals> totals(const UsageFilter &filter);
    Result<std::vector<DayTierSpend>> spendByDayAndTier(const UsageFilter &filter);
    // The same by hour, for short periods (a day or two): from the events and provider buckets of the
    // filter's days (the rollups are daily), so only for a few days at a time.
    Result<std::vector<HourTierSpend>> spendByHourAndTier(const UsageFilter &filter);
    Result<std::vector<MixRow>> routingMix(const UsageFilter &filter);
    Result<std::vector<TeamSpend>> spendByTeam(const UsageFilter &filter);
    Result<std::vector<BudgetState>> budgetStatus(std::int64_t nowMs); // every stored budget (BudgetEvaluator)
    Result<std::vector<PolicyVersionMark>> policyVersions();
    // The team, app or user names the store has seen ("teams", "apps", "users"), sorted; empty names left out.
    // For the policy studio's pickers.
    Result<std::vector<std::string>> dimensionNames(std::string_view dimension);
    Result<std::vector<DayQuality>> qualityByDay(const UsageFilter &filter);
    // Every team's spend by model, app and user in the filter's days (the team filter applies).
    Result<std::vector<TeamBreakdownRow>> teamBreakdown(const UsageFilter &filter);
    // p50/p95 from the latency histograms, by model, over the filter's days (all teams and apps).
    Result<std::vector<ModelLatency>> latencyByModel(const UsageFilter &filter);

    SqliteDatabase &database() { return m_db; }

private:
    UsageQueries() = default;
    // " AND …" conditions for the filter's dimensions on table alias `alias`, with their values in `binds`;
    // `withTier` false leaves out the tier (provider buckets have none).
    Result<std::string> where(const UsageFilter &filter, std::vector<std::int64_t> &binds,
                              const std::string &alias = "r", bool withTier = true);

    SqliteDatabase m_db;
    OrgCalendar m_calendar;
    bool m_demo = false;
};

} // namespace rl

#pragma once

#include "error.h"
#include "store/orgcalendar.h"
#include "store/sqlitedatabase.h"

#include <cstdint>
#include <optional>
#include <string>
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

struct BudgetStatus {
    std::string team;
    BudgetPeriod period = BudgetPeriod::Month;
    std::int64_t limitMicro = 0;
    std::int64_t periodStartMs = 0, periodEndMs = 0;
    std::int64_t spentMicro = 0;    // so far in the current period
    std::int64_t forecastMicro = 0; // at the period's end, at the run-rate so far
    double used() const
    {
        return limitMicro > 0 ? static_cast<double>(spentMicro) / static_cast<double>(limitMicro) : 0.0;
    }
    double forecastUsed() const
    {
        return limitMicro > 0 ? static_cast<double>(forecastMicro) / static_cast<double>(limitMicro) : 0.0;
    }
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
    Result<std::vector<MixRow>> routingMix(const UsageFilter &filter);
    Result<std::vector<TeamSpend>> spendByTeam(const UsageFilter &filter);
    Result<std::vector<BudgetStatus>> budgetStatus(std::int64_t nowMs);
    Result<std::vector<PolicyVersionMark>> policyVersions();
    Result<std::vector<DayQuality>> qualityByDay(const UsageFilter &filter);
    // Every team's spend by model, app and user in the filter's days (the team filter applies).
    Result<std::vector<TeamBreakdownRow>> teamBreakdown(const UsageFilter &filter);
    // p50/p95 from the latency histograms, by model, over the filter's days (all teams and apps).
    Result<std::vector<ModelLatency>> latencyByModel(const UsageFilter &filter);

    SqliteDatabase &database() { return m_db; }

private:
    UsageQueries() = default;
    // " AND …" conditions for the filter's dimensions, with their values in `binds`.
    Result<std::string> where(const UsageFilter &filter, std::vector<std::int64_t> &binds);

    SqliteDatabase m_db;
    OrgCalendar m_calendar;
    bool m_demo = false;
};

} // namespace rl

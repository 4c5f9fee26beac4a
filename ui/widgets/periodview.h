#pragma once

#include "dashboardsnapshot.h"

#include <QDate>
#include <QString>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

// What the dashboard pages share about the period a snapshot shows: its dates and text, whether it is drawn
// by hour or by day, the buckets of its time series, and how a team's budget applies to it.
namespace periodview {

constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kDayMs = 86'400'000;

const rl::OrgCalendar &calendarOf(const DashboardSnapshot &s);
QDate dateOf(const DashboardSnapshot &s, std::int64_t day);
// "Nov 2 – Dec 1, 2026 · all teams · times in UTC"
QString periodText(const DashboardSnapshot &s);
// "Dec 1" or "Nov 2 – Dec 1"
QString shortRange(const DashboardSnapshot &s);
// "on Dec 1" or "from Nov 2 to Dec 1", to follow a verb
QString rangePhrase(const DashboardSnapshot &s);
// A period of two days or less is drawn by hour (DashboardSnapshot::spendByHourAndTier)…
bool shortPeriod(const DashboardSnapshot &s);
// …when the snapshot has its hours; otherwise by day.
bool byHour(const DashboardSnapshot &s);
// The period's days that have begun by the snapshot's "now" (at least one).
std::int64_t daysShown(const DashboardSnapshot &s);

// One bucket of a time series (an hour or a day), [startMs, endMs).
struct Bucket {
    std::int64_t startMs = 0, endMs = 0;
};
// Chart axes (QDateTimeAxis) label time in the process's zone: this moves a UTC instant so that its label
// reads the organisation's wall time ("times in Europe/Berlin" on a machine in UTC).
double chartX(const DashboardSnapshot &s, std::int64_t utcMs);

// The x values a bucket is drawn at: its start and end (a flat step, so a single hour or day still shows) when
// there are few buckets, its start alone (a line) when there are many.
std::vector<std::int64_t> bucketXs(const Bucket &bucket, std::size_t bucketCount);

// The buckets of the period up to now: hours for a short period, days otherwise.
std::vector<Bucket> buckets(const DashboardSnapshot &s);

// Per tier rank (no tier: 99) per bucket start: requests and USD, from the hourly or daily rows.
struct TierCell {
    double requests = 0, usd = 0;
};
struct TierSeries {
    std::map<int, std::string> names;                      // rank -> tier name
    std::map<int, std::map<std::int64_t, TierCell>> cells; // rank -> bucket start -> cell
};
TierSeries tierSeries(const DashboardSnapshot &s);

// Errors, fallbacks and requests per bucket start.
struct QualityCell {
    double requests = 0, errors = 0, fallbacks = 0;
};
std::map<std::int64_t, QualityCell> qualitySeries(const DashboardSnapshot &s);

// A team's budget for the period shown (rl::budgetForRange) and how to say which it is.
rl::RangeBudget rangeBudget(const DashboardSnapshot &s, const rl::BudgetState &budget);
// "this month's budget", "the budgets of 3 months", "pro-rated to 30 days"
QString rangeBudgetNote(const DashboardSnapshot &s, const rl::RangeBudget &budget, rl::BudgetPeriod period);
// "this month", "this quarter", …
QString currentPeriodName(rl::BudgetPeriod period);
// How the forecast projected the rest of the period ("weekday-aware 7-day run rate", …)
QString forecastBasisText(const rl::BudgetState &budget);

} // namespace periodview

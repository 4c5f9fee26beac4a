#include "widgets/periodview.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHash>
#include <QTimeZone>

#include <algorithm>

namespace periodview {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("periodview", text);
}

const rl::OrgCalendar &utcCalendar()
{
    static const rl::OrgCalendar utc = rl::OrgCalendar::forZone("UTC").value();
    return utc;
}

} // namespace

const rl::OrgCalendar &calendarOf(const DashboardSnapshot &s)
{
    return s.calendar.zoneName().empty() ? utcCalendar() : s.calendar; // no zone before the first load
}

QDate dateOf(const DashboardSnapshot &s, std::int64_t day)
{
    const rl::OrgCalendar &calendar = calendarOf(s);
    return QDateTime::fromMSecsSinceEpoch(calendar.dayStartMs(day),
                                          QTimeZone(QByteArray::fromStdString(calendar.zoneName())))
        .date();
}

QString shortRange(const DashboardSnapshot &s)
{
    const QDate from = dateOf(s, s.filter.fromDay);
    const QDate to = dateOf(s, s.filter.toDay - 1);
    if (from == to)
        return from.toString(QStringLiteral("MMM d"));
    return QStringLiteral("%1 – %2").arg(from.toString(QStringLiteral("MMM d")), to.toString(QStringLiteral("MMM d")));
}

QString rangePhrase(const DashboardSnapshot &s)
{
    const QDate from = dateOf(s, s.filter.fromDay);
    const QDate to = dateOf(s, s.filter.toDay - 1);
    if (from == to)
        return tr("on %1").arg(from.toString(QStringLiteral("MMM d")));
    return tr("from %1 to %2").arg(from.toString(QStringLiteral("MMM d")), to.toString(QStringLiteral("MMM d")));
}

QString periodText(const DashboardSnapshot &s)
{
    const QDate from = dateOf(s, s.filter.fromDay);
    const QDate to = dateOf(s, s.filter.toDay - 1);
    QString text = from == to ? from.toString(QStringLiteral("MMM d, yyyy"))
                              : QStringLiteral("%1 – %2").arg(from.toString(QStringLiteral("MMM d, yyyy")),
                                                              to.toString(QStringLiteral("MMM d, yyyy")));
    text += s.filter.team.empty() ? tr(" · all teams") : tr(" · team %1").arg(QString::fromStdString(s.filter.team));
    text += tr(" · times in %1").arg(QString::fromStdString(calendarOf(s).zoneName()));
    return text;
}

double chartX(const DashboardSnapshot &s, std::int64_t utcMs)
{
    static QHash<QString, QTimeZone> zones; // GUI thread only
    const QString name = QString::fromStdString(calendarOf(s).zoneName());
    auto it = zones.find(name);
    if (it == zones.end())
        it = zones.insert(name, QTimeZone(name.toUtf8()));
    if (!it->isValid())
        return double(utcMs);
    const QDateTime inOrg = QDateTime::fromMSecsSinceEpoch(utcMs, *it);
    const QDateTime local(inOrg.date(), inOrg.time()); // the same wall time in the process's zone
    return double(local.toMSecsSinceEpoch());
}

std::vector<std::int64_t> bucketXs(const Bucket &bucket, std::size_t bucketCount)
{
    if (bucketCount <= 45)
        return {bucket.startMs, bucket.endMs};
    return {bucket.startMs};
}

bool shortPeriod(const DashboardSnapshot &s)
{
    return s.filter.toDay - s.filter.fromDay <= 2;
}

bool byHour(const DashboardSnapshot &s)
{
    return shortPeriod(s) && !s.spendByHourAndTier.empty();
}

std::int64_t daysShown(const DashboardSnapshot &s)
{
    const std::int64_t today = s.nowMs > 0 ? calendarOf(s).dayOf(s.nowMs) : s.filter.toDay - 1;
    return std::max<std::int64_t>(1, std::min(s.filter.toDay, today + 1) - s.filter.fromDay);
}

std::vector<Bucket> buckets(const DashboardSnapshot &s)
{
    const rl::OrgCalendar &calendar = calendarOf(s);
    std::vector<Bucket> out;
    const std::int64_t periodStart = calendar.dayStartMs(s.filter.fromDay);
    std::int64_t periodEnd = calendar.dayStartMs(s.filter.toDay);
    if (s.nowMs > periodStart && s.nowMs < periodEnd)
        periodEnd = s.nowMs; // no buckets in the future: a chart would read them as a drop to zero
    if (byHour(s)) {
        for (std::int64_t t = periodStart; t < periodEnd; t += kHourMs)
            out.push_back({t, std::min(t + kHourMs, calendar.dayStartMs(s.filter.toDay))});
    } else {
        for (std::int64_t day = s.filter.fromDay; day < s.filter.toDay; ++day) {
            const std::int64_t start = calendar.dayStartMs(day);
            if (start >= periodEnd)
                break;
            out.push_back({start, calendar.dayStartMs(day + 1)});
        }
    }
    if (out.empty())
        out.push_back({periodStart, periodStart + (byHour(s) ? kHourMs : kDayMs)});
    return out;
}

TierSeries tierSeries(const DashboardSnapshot &s)
{
    TierSeries out;
    if (byHour(s) && !s.spendByHourAndTier.empty()) {
        for (const rl::HourTierSpend &row : s.spendByHourAndTier) {
            const int rank = row.tierRank < 0 ? 99 : row.tierRank;
            TierCell &cell = out.cells[rank][row.hourMs];
            cell.requests += double(row.requests);
            cell.usd += double(row.costMicro) / 1e6;
            out.names[rank] = row.tier;
        }
        return out;
    }
    // By day; for a short period without hourly rows each day is one bucket at its start.
    const rl::OrgCalendar &calendar = calendarOf(s);
    for (const rl::DayTierSpend &row : s.spendByDayAndTier) {
        const int rank = row.tierRank < 0 ? 99 : row.tierRank;
        const std::int64_t start = calendar.dayStartMs(row.day);
        TierCell &cell = out.cells[rank][start];
        cell.requests += double(row.requests);
        cell.usd += double(row.costMicro) / 1e6;
        out.names[rank] = row.tier;
    }
    return out;
}

std::map<std::int64_t, QualityCell> qualitySeries(const DashboardSnapshot &s)
{
    std::map<std::int64_t, QualityCell> out;
    if (byHour(s) && !s.spendByHourAndTier.empty()) {
        for (const rl::HourTierSpend &row : s.spendByHourAndTier) {
            QualityCell &cell = out[row.hourMs];
            cell.requests += double(row.requests);
            cell.errors += double(row.errors);
            cell.fallbacks += double(row.fallbacks);
        }
        return out;
    }
    const rl::OrgCalendar &calendar = calendarOf(s);
    for (const rl::DayQuality &d : s.quality) {
        QualityCell &cell = out[calendar.dayStartMs(d.day)];
        cell.requests += double(d.requests);
        cell.errors += double(d.errors);
        cell.fallbacks += double(d.fallbacks);
    }
    return out;
}

rl::RangeBudget rangeBudget(const DashboardSnapshot &s, const rl::BudgetState &state)
{
    const rl::OrgCalendar &calendar = calendarOf(s);
    const std::int64_t endOfToday =
        s.nowMs > 0 ? calendar.dayOf(s.nowMs) + 1 : s.filter.toDay; // a range that runs to now
    // The budget's own amount: what rolled over belongs to the period in progress only.
    return rl::budgetForRange(calendar, state.budget.period, state.budget.limitMicro, s.filter.fromDay, s.filter.toDay,
                              endOfToday, state.budget.rollingDays);
}

QString currentPeriodName(rl::BudgetPeriod period)
{
    switch (period) {
    case rl::BudgetPeriod::Day: return tr("today");
    case rl::BudgetPeriod::Week: return tr("this week");
    case rl::BudgetPeriod::Month: return tr("this month");
    case rl::BudgetPeriod::Quarter: return tr("this quarter");
    case rl::BudgetPeriod::Year: return tr("this year");
    case rl::BudgetPeriod::Rolling: return tr("in the rolling window");
    }
    return tr("this period");
}

QString rangeBudgetNote(const DashboardSnapshot &s, const rl::RangeBudget &budget, rl::BudgetPeriod period)
{
    if (budget.prorated) {
        const std::int64_t days = s.filter.toDay - s.filter.fromDay;
        return days == 1 ? tr("budget pro-rated to 1 day") : tr("budget pro-rated to %1 days").arg(days);
    }
    if (budget.wholePeriods == 1)
        return tr("budget for %1").arg(currentPeriodName(period)); // the range is the budget period so far
    return tr("budgets of %1 %2s").arg(budget.wholePeriods).arg(QString::fromLatin1(rl::budgetPeriodName(period)));
}

QString forecastBasisText(const rl::BudgetState &budget)
{
    if (budget.forecastMethod.rfind("each remaining day", 0) == 0)
        return tr("weekday-aware 7-day run rate");
    if (budget.forecastMethod.rfind("the daily average", 0) == 0)
        return tr("daily average so far");
    if (budget.forecastMethod.rfind("today's spend", 0) == 0)
        return tr("today's rate");
    return tr("no history yet");
}

} // namespace periodview

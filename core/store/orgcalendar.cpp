#include "store/orgcalendar.h"

#include "store/sqlitedatabase.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace rl {

using namespace std::chrono;

bool budgetPeriodFromName(const std::string &name, BudgetPeriod &out)
{
    static const std::pair<const char *, BudgetPeriod> names[] = {
        {"day", BudgetPeriod::Day},         {"week", BudgetPeriod::Week}, {"month", BudgetPeriod::Month},
        {"quarter", BudgetPeriod::Quarter}, {"year", BudgetPeriod::Year}, {"rolling", BudgetPeriod::Rolling}};
    for (const auto &[text, period] : names)
        if (name == text) {
            out = period;
            return true;
        }
    return false;
}

const char *budgetPeriodName(BudgetPeriod period)
{
    switch (period) {
    case BudgetPeriod::Day: return "day";
    case BudgetPeriod::Week: return "week";
    case BudgetPeriod::Month: return "month";
    case BudgetPeriod::Quarter: return "quarter";
    case BudgetPeriod::Year: return "year";
    case BudgetPeriod::Rolling: return "rolling";
    }
    return "month";
}

namespace {
constexpr const char *kWeekdays[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
}

int OrgCalendar::weekdayFromName(std::string_view name)
{
    for (int i = 0; i < 7; ++i)
        if (name == kWeekdays[i])
            return i + 1;
    return 0;
}

const char *OrgCalendar::weekdayName(int isoWeekday)
{
    return isoWeekday >= 1 && isoWeekday <= 7 ? kWeekdays[isoWeekday - 1] : "monday";
}

std::string OrgCalendar::dateText(std::int64_t day)
{
    const date::year_month_day ymd{date::sys_days{date::days{day}}};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return text;
}

std::optional<std::int64_t> OrgCalendar::dayFromText(std::string_view text)
{
    if (text.size() != 10 || text[4] != '-' || text[7] != '-')
        return std::nullopt;
    int parts[3] = {0, 0, 0};
    const std::size_t starts[3] = {0, 5, 8}, lengths[3] = {4, 2, 2};
    for (int i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < lengths[i]; ++j) {
            const char c = text[starts[i] + j];
            if (c < '0' || c > '9')
                return std::nullopt;
            parts[i] = parts[i] * 10 + (c - '0');
        }
    const date::year_month_day ymd{date::year{parts[0]}, date::month{static_cast<unsigned>(parts[1])},
                                   date::day{static_cast<unsigned>(parts[2])}};
    if (!ymd.ok())
        return std::nullopt;
    return date::sys_days{ymd}.time_since_epoch().count();
}

Result<OrgCalendar> OrgCalendar::forZone(const std::string &ianaName)
{
    OrgCalendar calendar;
    calendar.m_name = ianaName;
    try {
        calendar.m_zone = date::locate_zone(ianaName);
    } catch (const std::exception &) {
        return Error{"calendar.unknown_zone",
                     "unknown time zone \"" + ianaName
                         + "\"; use an IANA name such as Europe/Berlin or America/New_York",
                     false};
    }
    return calendar;
}

Result<OrgCalendar> OrgCalendar::fromStore(SqliteDatabase &db)
{
    std::string zone = "UTC", weekStart, fiscalStart;
    Result<SqliteStatement> settings =
        db.prepare("SELECT key, value FROM settings WHERE key IN ('time_zone', 'week_start', 'fiscal_year_start')");
    if (!settings)
        return settings.error();
    if (Result<void> read = settings->forEachRow([&] {
            const std::string key = settings->text(0);
            (key == "time_zone" ? zone : key == "week_start" ? weekStart : fiscalStart) = settings->text(1);
        });
        !read)
        return read.error();
    Result<OrgCalendar> calendar = forZone(zone);
    if (!calendar)
        return calendar.error();
    if (!weekStart.empty())
        calendar->setWeekStart(weekdayFromName(weekStart));
    if (!fiscalStart.empty())
        calendar->setFiscalYearStartMonth(std::atoi(fiscalStart.c_str()));
    return calendar;
}

std::int64_t OrgCalendar::dayOf(std::int64_t utcMs) const
{
    const auto local = m_zone->to_local(sys_time<milliseconds>(milliseconds(utcMs)));
    return date::floor<date::days>(local).time_since_epoch().count();
}

std::int64_t OrgCalendar::dayStartMs(std::int64_t day) const
{
    const date::local_days local{date::days(day)};
    // A midnight that does not exist (a DST jump at 00:00) maps to the first instant after it.
    const auto utc = m_zone->to_sys(local, date::choose::earliest);
    return duration_cast<milliseconds>(utc.time_since_epoch()).count();
}

void OrgCalendar::periodContaining(std::int64_t day, BudgetPeriod period, std::int64_t &firstDay, std::int64_t &endDay,
                                   int rollingDays) const
{
    const date::sys_days d{date::days(day)};
    const date::year_month_day ymd{d};
    const auto dayNumber = [](const date::year_month_day &when) {
        return date::sys_days(when).time_since_epoch().count();
    };
    // The first month of the fiscal year or quarter that contains `ymd`'s month.
    const auto fiscalStart = [&](unsigned monthsPerPeriod) {
        const int month = static_cast<int>(static_cast<unsigned>(ymd.month()));
        const int intoYear = (month - m_fiscalYearStart + 12) % 12; // months since the fiscal year began
        const int back = intoYear % static_cast<int>(monthsPerPeriod);
        return date::year_month_day(ymd.year() / ymd.month() / 1) - date::months(back);
    };
    switch (period) {
    case BudgetPeriod::Day:
        firstDay = day;
        endDay = day + 1;
        return;
    case BudgetPeriod::Week: {
        const date::weekday wd{d};
        const auto sinceStart = (wd - date::weekday(static_cast<unsigned>(m_weekStart % 7))).count();
        firstDay = day - sinceStart;
        endDay = firstDay + 7;
        return;
    }
    case BudgetPeriod::Month: {
        const date::year_month_day first = ymd.year() / ymd.month() / 1;
        firstDay = dayNumber(first);
        endDay = dayNumber(first + date::months(1));
        return;
    }
    case BudgetPeriod::Quarter: {
        const date::year_month_day first = fiscalStart(3);
        firstDay = dayNumber(first);
        endDay = dayNumber(first + date::months(3));
        return;
    }
    case BudgetPeriod::Year: {
        const date::year_month_day first = fiscalStart(12);
        firstDay = dayNumber(first);
        endDay = dayNumber(first + date::years(1));
        return;
    }
    case BudgetPeriod::Rolling:
        endDay = day + 1;
        firstDay = endDay - std::max(rollingDays, 1);
        return;
    }
}

} // namespace rl

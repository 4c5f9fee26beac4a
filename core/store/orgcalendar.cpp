#include "store/orgcalendar.h"

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <cstdio>

namespace rl {

using namespace std::chrono;

bool budgetPeriodFromName(const std::string &name, BudgetPeriod &out)
{
    static const std::pair<const char *, BudgetPeriod> names[] = {{"day", BudgetPeriod::Day},
                                                                  {"week", BudgetPeriod::Week},
                                                                  {"month", BudgetPeriod::Month},
                                                                  {"quarter", BudgetPeriod::Quarter},
                                                                  {"year", BudgetPeriod::Year}};
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
    }
    return "month";
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

void OrgCalendar::periodContaining(std::int64_t day, BudgetPeriod period, std::int64_t &firstDay,
                                   std::int64_t &endDay) const
{
    const date::sys_days d{date::days(day)};
    const date::year_month_day ymd{d};
    switch (period) {
    case BudgetPeriod::Day:
        firstDay = day;
        endDay = day + 1;
        return;
    case BudgetPeriod::Week: {
        const date::weekday wd{d};
        const auto sinceMonday = (wd - date::Monday).count();
        firstDay = day - sinceMonday;
        endDay = firstDay + 7;
        return;
    }
    case BudgetPeriod::Month: {
        const date::year_month_day first = ymd.year() / ymd.month() / 1;
        firstDay = date::sys_days(first).time_since_epoch().count();
        endDay = date::sys_days(first + date::months(1)).time_since_epoch().count();
        return;
    }
    case BudgetPeriod::Quarter: {
        const unsigned month = static_cast<unsigned>(ymd.month());
        const date::year_month_day first = ymd.year() / date::month((month - 1) / 3 * 3 + 1) / 1;
        firstDay = date::sys_days(first).time_since_epoch().count();
        endDay = date::sys_days(first + date::months(3)).time_since_epoch().count();
        return;
    }
    case BudgetPeriod::Year: {
        const date::year_month_day first = ymd.year() / 1 / 1;
        firstDay = date::sys_days(first).time_since_epoch().count();
        endDay = date::sys_days(first + date::years(1)).time_since_epoch().count();
        return;
    }
    }
}

} // namespace rl

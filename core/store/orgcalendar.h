#pragma once

#include "error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace rl {

class SqliteDatabase;

// A budget's period. Rolling: the last N days up to and including today (the budget carries N).
enum class BudgetPeriod { Day, Week, Month, Quarter, Year, Rolling };

bool budgetPeriodFromName(const std::string &name, BudgetPeriod &out);
const char *budgetPeriodName(BudgetPeriod period);

// Days and budget periods as the organisation's clock cuts them (DESIGN.md §3.3): a "day" is a local
// calendar day in the organisation's IANA time zone, numbered as days since 1970-01-01. Weeks start on the
// organisation's first weekday (Monday unless set); quarters and years are fiscal, from its fiscal-year start
// month (January unless set).
class OrgCalendar {
public:
    static Result<OrgCalendar> forZone(const std::string &ianaName);
    // The calendar a store's settings describe: `time_zone` (UTC unless set), `week_start` ("monday" …
    // "sunday") and `fiscal_year_start` (month 1–12).
    static Result<OrgCalendar> fromStore(SqliteDatabase &db);

    const std::string &zoneName() const { return m_name; }

    // 1 = Monday … 7 = Sunday (ISO 8601).
    int weekStart() const { return m_weekStart; }
    void setWeekStart(int isoWeekday) { m_weekStart = isoWeekday >= 1 && isoWeekday <= 7 ? isoWeekday : 1; }
    // 1 = January … 12 = December.
    int fiscalYearStartMonth() const { return m_fiscalYearStart; }
    void setFiscalYearStartMonth(int month) { m_fiscalYearStart = month >= 1 && month <= 12 ? month : 1; }
    // The names settings and the CLI use: "monday" … "sunday"; 0 when unknown.
    static int weekdayFromName(std::string_view name);
    static const char *weekdayName(int isoWeekday);

    std::int64_t dayOf(std::int64_t utcMs) const;
    std::int64_t dayStartMs(std::int64_t day) const; // UTC ms of local midnight

    // A day number as YYYY-MM-DD, and back (nullopt unless exactly a valid YYYY-MM-DD). Days are local
    // calendar days, so neither depends on the zone.
    static std::string dateText(std::int64_t day);
    static std::optional<std::int64_t> dayFromText(std::string_view text);

    // [firstDay, endDay) of the period containing `day`. Rolling: the `rollingDays` days ending with `day`.
    void periodContaining(std::int64_t day, BudgetPeriod period, std::int64_t &firstDay, std::int64_t &endDay,
                          int rollingDays = 1) const;

private:
    const date::time_zone *m_zone = nullptr;
    std::string m_name;
    int m_weekStart = 1;
    int m_fiscalYearStart = 1;
};

} // namespace rl

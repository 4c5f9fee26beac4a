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

enum class BudgetPeriod { Day, Week, Month, Quarter, Year };

bool budgetPeriodFromName(const std::string &name, BudgetPeriod &out);
const char *budgetPeriodName(BudgetPeriod period);

// Days and budget periods as the organisation's clock cuts them (DESIGN.md §3.3): a "day" is a local
// calendar day in the organisation's IANA time zone, numbered as days since 1970-01-01.
class OrgCalendar {
public:
    static Result<OrgCalendar> forZone(const std::string &ianaName);

    const std::string &zoneName() const { return m_name; }

    std::int64_t dayOf(std::int64_t utcMs) const;
    std::int64_t dayStartMs(std::int64_t day) const; // UTC ms of local midnight

    // A day number as YYYY-MM-DD, and back (nullopt unless exactly a valid YYYY-MM-DD). Days are local
    // calendar days, so neither depends on the zone.
    static std::string dateText(std::int64_t day);
    static std::optional<std::int64_t> dayFromText(std::string_view text);

    // [firstDay, endDay) of the period containing `day`. Weeks start on Monday.
    void periodContaining(std::int64_t day, BudgetPeriod period, std::int64_t &firstDay, std::int64_t &endDay) const;

private:
    const date::time_zone *m_zone = nullptr;
    std::string m_name;
};

} // namespace rl

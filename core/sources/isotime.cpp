#include "sources/isotime.h"

#include <date/date.h>

#include <cstdio>

namespace rl {

namespace {

bool digitsAt(std::string_view text, std::size_t at, std::size_t count, int &out)
{
    if (at + count > text.size())
        return false;
    out = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        out = out * 10 + (text[i] - '0');
    }
    return true;
}

std::optional<std::int64_t> daysOf(int year, int month, int day)
{
    const date::year_month_day ymd{date::year(year), date::month(static_cast<unsigned>(month)),
                                   date::day(static_cast<unsigned>(day))};
    if (!ymd.ok())
        return std::nullopt;
    return date::sys_days(ymd).time_since_epoch().count();
}

} // namespace

std::int64_t IsoTime::dayStart(std::int64_t ms)
{
    const std::int64_t r = ms % kDayMs;
    return ms - (r < 0 ? r + kDayMs : r);
}

std::optional<std::int64_t> IsoTime::parseDate(std::string_view text)
{
    int year = 0, month = 0, day = 0;
    if (text.size() != 10 || !digitsAt(text, 0, 4, year) || text[4] != '-' || !digitsAt(text, 5, 2, month)
        || text[7] != '-' || !digitsAt(text, 8, 2, day))
        return std::nullopt;
    auto days = daysOf(year, month, day);
    if (!days)
        return std::nullopt;
    return *days * kDayMs;
}

std::optional<std::int64_t> IsoTime::parse(std::string_view text)
{
    // YYYY-MM-DD('T'|' ')HH:MM:SS[.fraction][Z|±HH:MM|±HHMM|±HH]; no offset means UTC. Postgres writes a
    // timestamptz as "…+00", which newer LiteLLM builds pass through.
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (text.size() < 19 || !digitsAt(text, 0, 4, year) || text[4] != '-' || !digitsAt(text, 5, 2, month)
        || text[7] != '-' || !digitsAt(text, 8, 2, day) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ')
        || !digitsAt(text, 11, 2, hour) || text[13] != ':' || !digitsAt(text, 14, 2, minute) || text[16] != ':'
        || !digitsAt(text, 17, 2, second))
        return std::nullopt;
    std::size_t at = 19;
    std::int64_t millis = 0;
    if (at < text.size() && text[at] == '.') {
        int scale = 100;
        const std::size_t first = ++at;
        for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
            millis += (text[at] - '0') * scale;
            scale /= 10;
        }
        if (at == first)
            return std::nullopt;
    }
    std::int64_t offsetMinutes = 0;
    if (at < text.size()) {
        if ((text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) {
        } else if (text[at] == '+' || text[at] == '-') {
            const std::size_t rest = text.size() - at - 1;
            int oh = 0, om = 0;
            const bool read =
                rest == 5   ? text[at + 3] == ':' && digitsAt(text, at + 1, 2, oh) && digitsAt(text, at + 4, 2, om)
                : rest == 4 ? digitsAt(text, at + 1, 2, oh) && digitsAt(text, at + 3, 2, om)
                : rest == 2 ? digitsAt(text, at + 1, 2, oh)
                            : false;
            if (!read || oh > 23 || om > 59)
                return std::nullopt;
            offsetMinutes = (text[at] == '+' ? 1 : -1) * (oh * 60 + om);
        } else {
            return std::nullopt;
        }
    }
    auto days = daysOf(year, month, day);
    if (!days || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;
    return ((*days * 24 + hour) * 60 + minute - offsetMinutes) * 60'000 + second * 1000 + millis;
}

std::string IsoTime::date(std::int64_t ms)
{
    const date::year_month_day ymd{date::sys_days{date::days{dayStart(ms) / kDayMs}}};
    char out[32];
    std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return out;
}

std::string IsoTime::rfc3339(std::int64_t ms)
{
    const std::int64_t day = dayStart(ms);
    const std::int64_t seconds = (ms - day) / 1000;
    char out[32];
    std::snprintf(out, sizeof out, "T%02d:%02d:%02dZ", static_cast<int>(seconds / 3600),
                  static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
    return date(ms) + out;
}

} // namespace rl

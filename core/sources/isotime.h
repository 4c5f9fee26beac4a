#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rl {

// ISO-8601 / RFC 3339 times and dates of the usage APIs, to and from UTC milliseconds. Written by hand
// (no date::parse) and strict: anything it cannot read is nullopt, never a guess.
class IsoTime {
public:
    static constexpr std::int64_t kDayMs = 86'400'000;

    // "2025-11-20T14:03:12.123000Z", "...+00:00", "2025-11-20 14:03:12" (no offset: UTC) → UTC ms.
    static std::optional<std::int64_t> parse(std::string_view text);
    // "2025-11-20" → its midnight, UTC ms.
    static std::optional<std::int64_t> parseDate(std::string_view text);
    // UTC ms → "2025-08-01T00:00:00Z" (whole seconds).
    static std::string rfc3339(std::int64_t ms);
    // UTC ms → "2025-08-01".
    static std::string date(std::int64_t ms);
    // The UTC midnight at or before `ms`.
    static std::int64_t dayStart(std::int64_t ms);
};

} // namespace rl

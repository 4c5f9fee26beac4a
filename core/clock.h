#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace rl {

// "Now" as UTC milliseconds since the epoch. Passed in, never read from a global, so tests and the demo choose
// the time (a first start on the first day of a month at 00:30, a router's ledger at a fixed hour).
using Clock = std::function<std::int64_t()>;

// The system's wall clock.
inline std::int64_t systemNowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

inline Clock systemClock()
{
    return &systemNowMs;
}

// A clock that always reads `nowMs` (tests, the demo's "now").
inline Clock fixedClock(std::int64_t nowMs)
{
    return [nowMs] { return nowMs; };
}

// `clock` when one was given, the system clock otherwise: options structs leave their Clock empty by default.
inline std::int64_t readClock(const Clock &clock)
{
    return clock ? clock() : systemNowMs();
}

} // namespace rl

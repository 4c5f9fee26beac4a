#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace rl {

// One breaker per upstream model. Closed: requests flow. After `failureThreshold` consecutive failures it
// opens and the model is skipped (the request falls back) for `openMs`; then it lets one probe through
// (half-open): success closes it, failure opens it again.
class CircuitBreaker {
public:
    enum class State { Closed, Open, HalfOpen };
    using Clock = std::chrono::steady_clock;

    CircuitBreaker(int failureThreshold, std::chrono::milliseconds openFor)
        : m_threshold(failureThreshold), m_openFor(openFor)
    {}

    // Whether a request may go to `model` now; in half-open, only the first caller gets the probe.
    bool allow(std::string_view model, Clock::time_point now = Clock::now());
    void recordSuccess(std::string_view model);
    void recordFailure(std::string_view model, Clock::time_point now = Clock::now());

    State state(std::string_view model, Clock::time_point now = Clock::now()) const;
    // Milliseconds until an open breaker lets a probe through; 0 otherwise.
    std::int64_t retryAfterMs(std::string_view model, Clock::time_point now = Clock::now()) const;
    std::vector<std::pair<std::string, State>> states(Clock::time_point now = Clock::now()) const;

private:
    struct Entry {
        int consecutiveFailures = 0;
        bool open = false;
        bool probing = false;
        Clock::time_point openedAt;
    };
    State stateOf(const Entry &entry, Clock::time_point now) const;

    const int m_threshold;
    const std::chrono::milliseconds m_openFor;
    mutable std::mutex m_mutex;
    std::map<std::string, Entry, std::less<>> m_entries;
};

} // namespace rl

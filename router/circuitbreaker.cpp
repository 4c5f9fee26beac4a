#include "circuitbreaker.h"

namespace rl {

CircuitBreaker::State CircuitBreaker::stateOf(const Entry &entry, Clock::time_point now) const
{
    if (!entry.open)
        return State::Closed;
    return now - entry.openedAt >= m_openFor ? State::HalfOpen : State::Open;
}

bool CircuitBreaker::allow(std::string_view model, Clock::time_point now)
{
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(model);
    if (it == m_entries.end())
        return true;
    Entry &entry = it->second;
    switch (stateOf(entry, now)) {
    case State::Closed: return true;
    case State::Open: return false;
    case State::HalfOpen:
        if (entry.probing)
            return false;
        entry.probing = true;
        return true;
    }
    return true;
}

void CircuitBreaker::recordSuccess(std::string_view model)
{
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(model);
    if (it != m_entries.end())
        it->second = Entry{};
}

void CircuitBreaker::recordFailure(std::string_view model, Clock::time_point now)
{
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(model);
    if (it == m_entries.end())
        it = m_entries.emplace(std::string(model), Entry{}).first;
    Entry &entry = it->second;
    entry.probing = false;
    if (entry.open || ++entry.consecutiveFailures >= m_threshold) {
        // A failed probe (or the failure that crosses the threshold) opens it for a full period again.
        entry.open = true;
        entry.openedAt = now;
    }
}

CircuitBreaker::State CircuitBreaker::state(std::string_view model, Clock::time_point now) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(model);
    return it == m_entries.end() ? State::Closed : stateOf(it->second, now);
}

std::int64_t CircuitBreaker::retryAfterMs(std::string_view model, Clock::time_point now) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(model);
    if (it == m_entries.end() || stateOf(it->second, now) != State::Open)
        return 0;
    return std::chrono::duration_cast<std::chrono::milliseconds>(it->second.openedAt + m_openFor - now).count();
}

std::vector<std::pair<std::string, CircuitBreaker::State>> CircuitBreaker::states(Clock::time_point now) const
{
    std::lock_guard lock(m_mutex);
    std::vector<std::pair<std::string, State>> out;
    for (const auto &[model, entry] : m_entries)
        out.emplace_back(model, stateOf(entry, now));
    return out;
}

} // namespace rl

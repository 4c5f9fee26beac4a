#pragma once

#include "asioincludes.h"

#include <chrono>
#include <memory>
#include <unordered_set>

namespace rl {

class Deadline;

// Enforces the timeouts of one worker's sockets with a single coarse timer. Beast's per-operation
// timers re-arm the kernel's timerfd several times per request (five syscalls, a third of the router's
// CPU on a virtual machine); here a deadline is a plain time stamp, and a sweep every `tick` cancels
// the operations of sockets whose deadline has passed. Timeouts are therefore late by up to one tick.
class Watchdog {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::milliseconds kTick{50};

    explicit Watchdog(asio::io_context &context)
        : m_timer(context), m_deadlines(std::make_shared<std::unordered_set<Deadline *>>())
    {}
    void start();
    void stop();

private:
    friend class Deadline;
    void sweep();

    asio::steady_timer m_timer;
    // Shared with every Deadline: sessions suspended when the io_context is destroyed unregister after
    // the Watchdog itself is gone.
    std::shared_ptr<std::unordered_set<Deadline *>> m_deadlines;
    bool m_stopped = false;
};

// The deadline of one socket's current operation. Register it for the socket's lifetime; set it
// before each read or write; after an operation fails, fired() says whether time ran out.
class Deadline {
public:
    Deadline(Watchdog &watchdog, tcp::socket &socket) : m_registry(watchdog.m_deadlines), m_socket(socket)
    {
        m_registry->insert(this);
    }
    ~Deadline() { m_registry->erase(this); }
    Deadline(const Deadline &) = delete;
    Deadline &operator=(const Deadline &) = delete;

    void expireAfter(std::chrono::milliseconds timeout)
    {
        m_at = Watchdog::Clock::now() + timeout;
        m_fired = false;
    }
    void expireNever()
    {
        m_at = Watchdog::Clock::time_point::max();
        m_fired = false;
    }
    bool fired() const { return m_fired; }

private:
    friend class Watchdog;
    std::shared_ptr<std::unordered_set<Deadline *>> m_registry;
    tcp::socket &m_socket;
    Watchdog::Clock::time_point m_at = Watchdog::Clock::time_point::max();
    bool m_fired = false;
};

} // namespace rl

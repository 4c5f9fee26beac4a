#pragma once

#include <QDeadlineTimer>
#include <QThread>

#include <chrono>

// Polls `condition` until it holds or `timeout` passes, and says whether it held. For what another process
// or thread makes true (a router's group commit, a connection closed, a breaker's open window over, a request
// arrived at an upstream): a test waits for exactly the state it needs, never for a guessed time. The
// deadline only bounds a failing test; `interval` is the polling period.
template <typename Condition>
bool waitUntil(Condition &&condition, std::chrono::milliseconds timeout = std::chrono::seconds(10),
               std::chrono::milliseconds interval = std::chrono::milliseconds(10))
{
    const QDeadlineTimer deadline(timeout);
    while (!condition()) {
        if (deadline.hasExpired())
            return false;
        QThread::msleep(static_cast<unsigned long>(interval.count()));
    }
    return true;
}

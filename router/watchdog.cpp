#include "watchdog.h"

namespace rl {

void Watchdog::start()
{
    m_timer.expires_after(kTick);
    m_timer.async_wait([this](const beast::error_code &ec) {
        if (ec || m_stopped)
            return;
        sweep();
        start();
    });
}

void Watchdog::stop()
{
    m_stopped = true;
    m_timer.cancel();
}

void Watchdog::sweep()
{
    const auto now = Clock::now();
    for (Deadline *deadline : *m_deadlines) {
        if (deadline->m_at <= now && !deadline->m_fired) {
            deadline->m_fired = true;
            deadline->m_at = Clock::time_point::max();
            beast::error_code ec;
            deadline->m_socket.cancel(ec); // the pending read or write completes with operation_aborted
        }
    }
}

} // namespace rl

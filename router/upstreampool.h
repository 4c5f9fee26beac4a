#pragma once

#include "asioincludes.h"
#include "upstreamconnection.h"
#include "watchdog.h"

#include <chrono>
#include <map>
#include <memory>
#include <vector>

namespace rl {

// Keep-alive connections to the upstreams, one pool per worker thread (so it needs no lock). Connections
// come back after a complete response and are reused most-recent first; idle ones past `maxIdle` are
// closed.
class UpstreamPool {
public:
    static constexpr std::size_t kMaxIdlePerEndpoint = 512;

    UpstreamPool(asio::any_io_executor executor, Watchdog &watchdog, std::chrono::milliseconds maxIdle)
        : m_executor(std::move(executor)), m_watchdog(watchdog), m_resolver(m_executor), m_maxIdle(maxIdle)
    {}

    // An idle connection to `endpoint`, or nullptr.
    std::unique_ptr<UpstreamConnection> takeIdle(const UpstreamEndpoint &endpoint);
    // Resolves, connects and (for https) handshakes, within `timeout`. On failure `ec` says why and
    // `timedOut` whether the time ran out.
    asio::awaitable<std::unique_ptr<UpstreamConnection>>
    connect(const UpstreamEndpoint &endpoint, std::chrono::milliseconds timeout, beast::error_code &ec, bool &timedOut);
    void release(std::unique_ptr<UpstreamConnection> connection);
    std::size_t idleCount() const;
    void closeAll();

private:
    asio::any_io_executor m_executor;
    Watchdog &m_watchdog;
    tcp::resolver m_resolver;
    std::chrono::milliseconds m_maxIdle;
    std::map<const UpstreamEndpoint *, std::vector<std::unique_ptr<UpstreamConnection>>> m_idle;
    std::map<const UpstreamEndpoint *, tcp::resolver::results_type> m_resolved;
};

} // namespace rl

#pragma once

#include "adminapi.h"
#include "asioincludes.h"
#include "chatproxy.h"
#include "routerconfig.h"
#include "routermetrics.h"
#include "watchdog.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <unordered_map>
#include <vector>

namespace rl {

// The HTTP/1.1 server: one io_context per worker thread, each with its own SO_REUSEPORT acceptor and
// upstream pool, so a request is served start to finish on one thread without locks. Sessions are
// coroutines (keep-alive, pipelining-safe); routes go to ChatProxy, AdminApi, /healthz and /metrics.
class RouterServer {
public:
    RouterServer(const RouterConfig &config, ChatProxy &proxy, AdminApi &admin, RouterMetrics &metrics);
    ~RouterServer();

    // Binds the listening socket(s); returns the port (useful with port 0).
    Result<std::uint16_t> listen();
    // Starts the workers; returns at once.
    void start();
    // Stops accepting, closes idle connections, waits up to the grace period for in-flight requests,
    // then stops the workers. Safe to call from any thread, once.
    void shutdown();
    bool draining() const { return m_draining.load(); }

private:
    struct Worker {
        asio::io_context context{1};
        Watchdog watchdog{context};
        std::unique_ptr<tcp::acceptor> acceptor;
        std::unique_ptr<UpstreamPool> pool;
        std::unordered_map<std::uint64_t, tcp::socket *> idle; // sessions waiting for a request
        std::uint64_t nextSession = 0;
        bool draining = false;
        std::thread thread;
    };

    asio::awaitable<void> acceptLoop(Worker &worker);
    asio::awaitable<void> session(Worker &worker, tcp::socket socket);
    asio::awaitable<void> dispatch(Worker &worker, tcp::socket &socket, Deadline &deadline, HttpRequest &request,
                                   bool &keepAlive);

    const RouterConfig &m_config;
    ChatProxy &m_proxy;
    AdminApi &m_admin;
    RouterMetrics &m_metrics;
    std::vector<std::unique_ptr<Worker>> m_workers;
    std::atomic<bool> m_draining{false};
    std::atomic<bool> m_stopped{false};
};

} // namespace rl

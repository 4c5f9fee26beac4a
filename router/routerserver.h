#pragma once

#include "adminapi.h"
#include "asioincludes.h"
#include "chatproxy.h"
#include "clientidentifier.h"
#include "feedbackapi.h"
#include "routerconfig.h"
#include "routermetrics.h"
#include "watchdog.h"

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <unordered_map>
#include <vector>

namespace rl {

// The HTTP/1.1 server: one io_context per worker thread, each with its own SO_REUSEPORT acceptor and
// upstream pool, so a request is served start to finish on one thread without locks. Sessions are
// coroutines (keep-alive, pipelining-safe); a chat request's client is identified (ClientIdentifier) from its
// headers before its body is read, and routes go to ChatProxy, AdminApi, /healthz and /metrics.
class RouterServer {
public:
    RouterServer(const RouterConfig &config, const ClientIdentifier &identifier, ChatProxy &proxy, AdminApi &admin,
                 FeedbackApi &feedback, RouterMetrics &metrics);
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
        char discard[16384]; // what drain() throws away; shared, since nobody reads it
        bool draining = false;
        std::thread thread;
    };

    asio::awaitable<void> acceptLoop(Worker &worker);
    void refuseConnection(tcp::socket &socket);
    asio::awaitable<void> session(Worker &worker, tcp::socket socket, RouterMetrics::GaugeHold connection);
    // Serves one request on the session's connection; false when the connection must close.
    asio::awaitable<bool> serveOne(Worker &worker, tcp::socket &socket, Deadline &deadline, beast::flat_buffer &buffer);
    // A refusal decided from the headers alone (transfer coding, credentials), before any body is read.
    std::optional<HttpResponse> refuseBeforeBody(const HttpRequest &head, std::optional<ClientIdentity> &client);
    asio::awaitable<void> dispatch(Worker &worker, tcp::socket &socket, Deadline &deadline, HttpRequest &request,
                                   const std::optional<ClientIdentity> &client, bool &keepAlive);
    // Admin calls run on their own threads: installing a 20,000-rule policy must not stall a worker.
    asio::awaitable<HttpResponse> handleAdmin(const HttpRequest &request);
    // Feedback reads and writes the ledger: on its own thread too, so a worker never waits for the disk.
    asio::awaitable<HttpResponse> handleFeedback(const HttpRequest &request, const ClientIdentity &client);

    const RouterConfig &m_config;
    const ClientIdentifier &m_identifier;
    ChatProxy &m_proxy;
    AdminApi &m_admin;
    FeedbackApi &m_feedback;
    RouterMetrics &m_metrics;
    std::vector<std::unique_ptr<Worker>> m_workers;
    // Its tasks hold requests that live in the workers' coroutine frames: shutdown() joins it before the
    // workers stop, and it is destroyed before them.
    asio::thread_pool m_adminThreads{2};
    asio::thread_pool m_feedbackThread{1}; // the same rules as m_adminThreads
    std::atomic<bool> m_draining{false};
    std::atomic<bool> m_stopped{false};
};

} // namespace rl

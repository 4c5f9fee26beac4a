#include "routerserver.h"

#include "httpresponses.h"
#include "httptext.h"
#include "httpwire.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>

namespace rl {

namespace {

constexpr auto kWriteTimeout = std::chrono::seconds(60);

asio::awaitable<void> send(tcp::socket &socket, Deadline &deadline, HttpResponse &response, bool keepAlive)
{
    beast::error_code ec;
    response.keep_alive(keepAlive);
    response.prepare_payload();
    deadline.expireAfter(kWriteTimeout);
    co_await writeMessage(socket, response, ec);
}

// After refusing a request whose body is not wanted (too large, or not authorised), read and drop what
// the client is still sending for a short while before closing: closing with unread bytes makes the kernel
// send a reset, and the client would see a broken connection instead of the answer.
asio::awaitable<void> drain(tcp::socket &socket, Deadline &deadline, char *scratch, std::size_t size)
{
    beast::error_code ec;
    socket.shutdown(tcp::socket::shutdown_send, ec);
    std::size_t total = 0;
    deadline.expireAfter(std::chrono::seconds(2));
    while (!ec && total < (256u << 20))
        total +=
            co_await socket.async_read_some(asio::buffer(scratch, size), asio::redirect_error(asio::use_awaitable, ec));
}

bool isChatPath(std::string_view path)
{
    return path == "/v1/chat/completions" || path == "/chat/completions";
}

bool isFeedbackPath(std::string_view path)
{
    return path == "/v1/feedback";
}

std::string_view pathOf(const HttpRequest &request)
{
    std::string_view target = request.target();
    return target.substr(0, target.find('?'));
}

// Built once, so that refusing a connection over the cap costs no parsing and no coroutine.
const std::string &tooManyConnectionsAnswer()
{
    static const std::string answer = [] {
        const std::string body = openAiErrorBody("The router has as many connections open as max_connections "
                                                 "allows; retry in a moment, or raise max_connections",
                                                 "server_error", "too_many_connections");
        return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
               "Connection: close\r\nContent-Length: "
               + std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    return answer;
}

} // namespace

RouterServer::RouterServer(const RouterConfig &config, const ClientIdentifier &identifier, ChatProxy &proxy,
                           AdminApi &admin, FeedbackApi &feedback, RouterMetrics &metrics)
    : m_config(config), m_identifier(identifier), m_proxy(proxy), m_admin(admin), m_feedback(feedback),
      m_metrics(metrics)
{
    int threads = config.threads > 0 ? config.threads : static_cast<int>(std::thread::hardware_concurrency());
    threads = std::max(1, threads);
    for (int i = 0; i < threads; ++i) {
        auto worker = std::make_unique<Worker>();
        worker->pool =
            std::make_unique<UpstreamPool>(worker->context.get_executor(), worker->watchdog, std::chrono::seconds(30));
        m_workers.push_back(std::move(worker));
    }
}

RouterServer::~RouterServer()
{
    shutdown();
}

Result<std::uint16_t> RouterServer::listen()
{
    beast::error_code ec;
    auto address = asio::ip::make_address(m_config.listenHost, ec);
    if (ec)
        return Error{"listen.address",
                     "listen: '" + m_config.listenHost + "' is not an IP address (" + ec.message() + ")", false};
    std::uint16_t port = m_config.listenPort;
    for (auto &worker : m_workers) {
        auto acceptor = std::make_unique<tcp::acceptor>(worker->context);
        tcp::endpoint endpoint(address, port);
        acceptor->open(endpoint.protocol(), ec);
        if (!ec)
            acceptor->set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) {
            // Each worker accepts on its own socket; the kernel spreads connections between them.
            int one = 1;
            if (::setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
                ec = beast::error_code(errno, boost::system::system_category());
        }
        if (!ec)
            acceptor->bind(endpoint, ec);
        if (!ec)
            acceptor->listen(asio::socket_base::max_listen_connections, ec);
        if (ec)
            return Error{"listen.failed",
                         "Cannot listen on " + m_config.listenHost + ":" + std::to_string(port) + ": " + ec.message()
                             + (ec == asio::error::address_in_use ? " (another process uses this port; stop it or "
                                                                    "change `listen`)"
                                                                  : ""),
                         false};
        port = acceptor->local_endpoint().port();
        worker->acceptor = std::move(acceptor);
    }
    return port;
}

void RouterServer::start()
{
    for (auto &worker : m_workers) {
        worker->watchdog.start();
        asio::co_spawn(worker->context, acceptLoop(*worker), asio::detached);
        Worker *w = worker.get();
        worker->thread = std::thread([w] { w->context.run(); });
    }
}

void RouterServer::shutdown()
{
    if (m_stopped.exchange(true))
        return;
    m_draining = true;
    for (auto &worker : m_workers) {
        Worker *w = worker.get();
        asio::post(w->context, [w] {
            w->draining = true;
            beast::error_code ec;
            if (w->acceptor)
                w->acceptor->close(ec);
            for (auto &[id, socket] : w->idle)
                socket->close(ec);
            w->idle.clear();
        });
    }
    // Requests in flight finish (their connections close after the answer), up to the grace period.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(m_config.shutdownGraceMs);
    while (m_metrics.inFlight.load() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (m_metrics.inFlight.load() > 0)
        std::fprintf(stderr,
                     "routeledger-router: %lld request(s) still running after the %lld ms grace period; "
                     "stopping them\n",
                     static_cast<long long>(m_metrics.inFlight.load()),
                     static_cast<long long>(m_config.shutdownGraceMs));
    // Admin calls still running finish first: they read requests that live in the workers' coroutines.
    // None is queued after m_draining was set (handleAdmin answers 503), and each is short (a policy of
    // 20,000 rules installs in under a second), so this join is bounded by the longest admin call.
    m_adminThreads.join();
    m_feedbackThread.join();
    for (auto &worker : m_workers) {
        Worker *w = worker.get();
        asio::post(w->context, [w] { w->watchdog.stop(); });
        w->context.stop();
    }
    for (auto &worker : m_workers) {
        if (worker->thread.joinable())
            worker->thread.join();
    }
}

asio::awaitable<void> RouterServer::acceptLoop(Worker &worker)
{
    beast::error_code ec;
    for (;;) {
        tcp::socket socket(worker.context);
        co_await worker.acceptor->async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            if (ec == asio::error::operation_aborted || worker.draining)
                co_return;
            // Out of file descriptors and the like: wait a moment instead of spinning.
            asio::steady_timer pause(worker.context, std::chrono::milliseconds(50));
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        // Counted before the check (every worker accepts on its own), so that workers accepting at the same
        // moment cannot together overshoot the cap.
        RouterMetrics::GaugeHold connection(m_metrics.openConnections);
        if (m_metrics.openConnections.load() > m_config.maxConnections) {
            refuseConnection(socket);
            continue;
        }
        socket.set_option(tcp::no_delay(true), ec);
        asio::co_spawn(worker.context, session(worker, std::move(socket), std::move(connection)), asio::detached);
    }
}

void RouterServer::refuseConnection(tcp::socket &socket)
{
    ++m_metrics.refusedConnections;
    beast::error_code ec;
    socket.non_blocking(true, ec);
    // Read what already arrived, so that closing sends a FIN, not a reset that would hide the answer.
    char scratch[16384];
    while (!ec && socket.read_some(asio::buffer(scratch), ec) == sizeof scratch) {
    }
    ec = {};
    const std::string &answer = tooManyConnectionsAnswer();
    socket.write_some(asio::buffer(answer), ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    socket.close(ec);
}

asio::awaitable<void> RouterServer::session(Worker &worker, tcp::socket socket,
                                            [[maybe_unused]] RouterMetrics::GaugeHold connection)
{
    Deadline deadline(worker.watchdog, socket);
    beast::flat_buffer buffer;
    beast::error_code ec;
    for (;;) {
        if (worker.draining)
            break;
        bool keepOpen = false;
        try {
            keepOpen = co_await serveOne(worker, socket, deadline, buffer);
        } catch (const std::exception &e) {
            // A bug, not a client's fault: the connection is closed, the gauges are given back by their
            // holders, and the router goes on serving.
            m_metrics.recordRejected("internal_error");
            std::fprintf(stderr, "routeledger-router: internal error while serving a request: %s\n", e.what());
        }
        if (!keepOpen)
            break;
    }
    socket.shutdown(tcp::socket::shutdown_send, ec);
    socket.close(ec);
}

asio::awaitable<bool> RouterServer::serveOne(Worker &worker, tcp::socket &socket, Deadline &deadline,
                                             beast::flat_buffer &buffer)
{
    beast::error_code ec;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(m_config.maxHeaderBytes));
    parser.body_limit(m_config.maxBodyBytes);
    deadline.expireAfter(std::chrono::milliseconds(m_config.clientTimeoutMs));
    const std::uint64_t id = ++worker.nextSession;
    worker.idle.emplace(id, &socket);
    co_await http::async_read_header(socket, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    worker.idle.erase(id);

    std::optional<HttpResponse> refusal;
    bool drainAfter = false;
    bool bodyUnread = false;
    std::optional<ClientIdentity> client;
    if (!ec) {
        refusal = refuseBeforeBody(parser.get(), client);
        // Only chat completions and feedback (from a known client) and the admin API (with its token) take a
        // body; any other request is answered without reading one, so no path buffers a body nobody asked for.
        const std::string_view path = pathOf(parser.get());
        const bool takesBody = ((isChatPath(path) || isFeedbackPath(path)) && parser.get().method() == http::verb::post)
                               || path.substr(0, 7) == "/admin/";
        bodyUnread = !parser.is_done() && (refusal.has_value() || !takesBody);
        // What the client still sends is dropped before the connection closes.
        drainAfter = bodyUnread;
    }
    if (!ec && !refusal && !bodyUnread) {
        // RFC 9110 §10.1.1: a 100 Continue only to HTTP/1.1 clients.
        if (const auto expect = parser.get()[http::field::expect];
            parser.get().version() >= 11 && equalsNoCase(trimmedValue(expect), "100-continue")) {
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            deadline.expireAfter(std::chrono::milliseconds(m_config.clientTimeoutMs));
            co_await asio::async_write(socket, asio::buffer(kContinue.data(), kContinue.size()),
                                       asio::redirect_error(asio::use_awaitable, ec));
        }
        if (!ec && !parser.is_done())
            co_await http::async_read(socket, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec) {
        if (ec == http::error::body_limit) {
            m_metrics.recordRejected("body_too_large");
            refusal = openAiErrorResponse(http::status::payload_too_large,
                                          "The request body is larger than the router's limit of "
                                              + std::to_string(m_config.maxBodyBytes) + " bytes (max_body_bytes)",
                                          "invalid_request_error", "request_too_large", 11);
            drainAfter = true;
        } else if (ec == http::error::header_limit) {
            m_metrics.recordRejected("headers_too_large");
            refusal = openAiErrorResponse(http::status::request_header_fields_too_large,
                                          "The request headers are larger than "
                                              + std::to_string(m_config.maxHeaderBytes) + " bytes",
                                          "invalid_request_error", "headers_too_large", 11);
        } else if (ec.category() == http::make_error_code(http::error::bad_method).category()
                   && ec != http::error::end_of_stream && ec != http::error::partial_message) {
            m_metrics.recordRejected("malformed_http");
            refusal = openAiErrorResponse(http::status::bad_request, "Malformed HTTP request: " + ec.message(),
                                          "invalid_request_error", "malformed_http", 11);
        } else {
            co_return false; // closed, reset or timed out: nobody to answer
        }
    }
    if (refusal) {
        co_await send(socket, deadline, *refusal, false);
        if (drainAfter)
            co_await drain(socket, deadline, worker.discard, sizeof worker.discard);
        co_return false;
    }

    HttpRequest request = parser.release();
    bool keepAlive = request.keep_alive() && !worker.draining && !bodyUnread;
    {
        RouterMetrics::GaugeHold inFlight(m_metrics.inFlight);
        co_await dispatch(worker, socket, deadline, request, client, keepAlive);
    }
    if (bodyUnread) {
        co_await drain(socket, deadline, worker.discard, sizeof worker.discard);
        co_return false;
    }
    co_return keepAlive;
}

std::optional<HttpResponse> RouterServer::refuseBeforeBody(const HttpRequest &head,
                                                           std::optional<ClientIdentity> &client)
{
    const unsigned version = head.version();
    // Only chunked framing is understood (RFC 9112 §6.1): any other coding would be taken for the body's
    // bytes, or drop the body, so it is refused.
    if (const auto coding = head[http::field::transfer_encoding];
        !coding.empty() && !equalsNoCase(trimmedValue(coding), "chunked")) {
        m_metrics.recordRejected("unsupported_transfer_encoding");
        return openAiErrorResponse(http::status::not_implemented,
                                   "Transfer-Encoding '" + std::string(coding)
                                       + "' is not supported; send the body as is (Content-Length) or chunked",
                                   "invalid_request_error", "unsupported_transfer_encoding", version);
    }
    const std::string_view path = pathOf(head);
    // Feedback is identified exactly like a chat request: a client rates its own requests under the same key.
    if ((isChatPath(path) || isFeedbackPath(path)) && head.method() == http::verb::post) {
        // A look along the request's few header lines: Beast's lookup by name walks its case-insensitive index with
        // a comparison per level, which for six names sharing the "X-RouteLedger-" prefix cost more than the walk.
        auto identity = m_identifier.identify([&head](std::string_view name) {
            for (const auto &field : head) {
                if (equalsNoCase(field.name_string(), name))
                    return field.value();
            }
            return std::string_view();
        });
        if (!identity) {
            m_metrics.recordRejected(identity.error().code);
            return bearerChallenge(openAiErrorResponse(http::status::unauthorized, identity.error().message,
                                                       "invalid_request_error", identity.error().code, version));
        }
        client = std::move(identity.value());
    } else if (path.substr(0, 7) == "/admin/") {
        if (auto refused = m_admin.authorize(head)) {
            m_metrics.recordRejected(m_config.adminToken.empty() ? "admin_disabled" : "invalid_admin_token");
            return refused;
        }
    }
    return std::nullopt;
}

asio::awaitable<HttpResponse> RouterServer::handleAdmin(const HttpRequest &request)
{
    // Once draining, no admin work is queued: the admin threads are joined, and a policy is not swapped
    // under a router that is stopping.
    if (m_draining)
        co_return openAiErrorResponse(http::status::service_unavailable,
                                      "The router is shutting down; send the admin call to it once it is back",
                                      "admin_error", "draining", request.version());
    AdminApi &admin = m_admin;
    RouterMetrics &metrics = m_metrics;
    co_return co_await asio::co_spawn(
        m_adminThreads,
        [&admin, &metrics, &request]() -> asio::awaitable<HttpResponse> {
            RouterMetrics::GaugeHold running(metrics.adminRunning);
            co_return admin.handle(request);
        },
        asio::use_awaitable);
}

asio::awaitable<HttpResponse> RouterServer::handleFeedback(const HttpRequest &request, const ClientIdentity &client)
{
    if (m_draining)
        co_return openAiErrorResponse(http::status::service_unavailable,
                                      "The router is shutting down; send the feedback again once it is back",
                                      "server_error", "draining", request.version());
    FeedbackApi &feedback = m_feedback;
    co_return co_await asio::co_spawn(
        m_feedbackThread,
        [&feedback, &request, &client]() -> asio::awaitable<HttpResponse> {
            co_return feedback.handle(request, client);
        },
        asio::use_awaitable);
}

asio::awaitable<void> RouterServer::dispatch(Worker &worker, tcp::socket &socket, Deadline &deadline,
                                             HttpRequest &request, const std::optional<ClientIdentity> &client,
                                             bool &keepAlive)
{
    const std::string_view path = pathOf(request);
    const http::verb method = request.method();
    const unsigned version = request.version();

    if (isChatPath(path) && method == http::verb::post && client) {
        co_await m_proxy.serve(socket, deadline, request, *client, *worker.pool, keepAlive);
        co_return;
    }
    HttpResponse response;
    if (isFeedbackPath(path) && method == http::verb::post && client) {
        response = co_await handleFeedback(request, *client);
    } else if (isFeedbackPath(path)) {
        response = openAiErrorResponse(http::status::method_not_allowed, "Use POST for feedback",
                                       "invalid_request_error", "method_not_allowed", version);
        response.set(http::field::allow, "POST");
    } else if (isChatPath(path)) {
        response = openAiErrorResponse(http::status::method_not_allowed, "Use POST for chat completions",
                                       "invalid_request_error", "method_not_allowed", version);
        response.set(http::field::allow, "POST");
    } else if ((path == "/v1/models" || path == "/models") && method == http::verb::get) {
        response = m_proxy.models(version);
    } else if (path == "/healthz" && method == http::verb::get) {
        response = jsonResponse(m_draining ? http::status::service_unavailable : http::status::ok,
                                m_draining ? R"({"status":"draining"})" : R"({"status":"ok"})", version);
    } else if (path == "/metrics" && method == http::verb::get) {
        response = HttpResponse(http::status::ok, version);
        response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        response.body() = m_metrics.render();
    } else if (path.substr(0, 7) == "/admin/") {
        // No deadline while the admin threads work: the client waits for its answer, however long a large
        // policy takes to compile.
        deadline.expireNever();
        response = co_await handleAdmin(request);
    } else {
        response = openAiErrorResponse(http::status::not_found,
                                       "Unknown path " + std::string(path)
                                           + " (this router serves POST /v1/chat/completions, POST /v1/feedback, "
                                             "GET /v1/models, /healthz, /metrics and /admin/…)",
                                       "invalid_request_error", "not_found", version);
    }
    co_await send(socket, deadline, response, keepAlive);
}

} // namespace rl

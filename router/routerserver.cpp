#include "routerserver.h"

#include "httpresponses.h"

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
    co_await http::async_write(socket, response, asio::redirect_error(asio::use_awaitable, ec));
}

// After refusing an oversized body, read (and drop) what the client is still sending for a short while
// before closing: closing with unread bytes makes the kernel send a reset, and the client would see a
// broken connection instead of the 413.
asio::awaitable<void> drain(tcp::socket &socket, Deadline &deadline)
{
    beast::error_code ec;
    socket.shutdown(tcp::socket::shutdown_send, ec);
    char scratch[65536];
    std::size_t total = 0;
    deadline.expireAfter(std::chrono::seconds(2));
    while (!ec && total < (256u << 20)) {
        total += co_await socket.async_read_some(asio::buffer(scratch), asio::redirect_error(asio::use_awaitable, ec));
    }
}

} // namespace

RouterServer::RouterServer(const RouterConfig &config, ChatProxy &proxy, AdminApi &admin, RouterMetrics &metrics)
    : m_config(config), m_proxy(proxy), m_admin(admin), m_metrics(metrics)
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
        socket.set_option(tcp::no_delay(true), ec);
        asio::co_spawn(worker.context, session(worker, std::move(socket)), asio::detached);
    }
}

asio::awaitable<void> RouterServer::session(Worker &worker, tcp::socket socket)
{
    ++m_metrics.openConnections;
    Deadline deadline(worker.watchdog, socket);
    beast::flat_buffer buffer;
    beast::error_code ec;
    const std::uint64_t id = ++worker.nextSession;
    for (;;) {
        if (worker.draining)
            break;
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(m_config.maxHeaderBytes));
        parser.body_limit(m_config.maxBodyBytes);
        deadline.expireAfter(std::chrono::milliseconds(m_config.clientTimeoutMs));
        worker.idle.emplace(id, &socket);
        co_await http::async_read(socket, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        worker.idle.erase(id);
        if (ec) {
            HttpResponse refusal;
            if (ec == http::error::body_limit) {
                m_metrics.recordRejected("body_too_large");
                refusal = openAiErrorResponse(http::status::payload_too_large,
                                              "The request body is larger than the router's limit of "
                                                  + std::to_string(m_config.maxBodyBytes) + " bytes (max_body_bytes)",
                                              "invalid_request_error", "request_too_large", 11);
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
                break; // closed, reset or timed out: nobody to answer
            }
            co_await send(socket, deadline, refusal, false);
            if (ec == http::error::body_limit)
                co_await drain(socket, deadline);
            break;
        }
        HttpRequest request = parser.release();
        bool keepAlive = request.keep_alive() && !worker.draining;
        ++m_metrics.inFlight;
        co_await dispatch(worker, socket, deadline, request, keepAlive);
        --m_metrics.inFlight;
        if (!keepAlive)
            break;
    }
    socket.shutdown(tcp::socket::shutdown_send, ec);
    socket.close(ec);
    --m_metrics.openConnections;
}

asio::awaitable<void> RouterServer::dispatch(Worker &worker, tcp::socket &socket, Deadline &deadline,
                                             HttpRequest &request, bool &keepAlive)
{
    std::string_view target = request.target();
    std::string_view path = target.substr(0, target.find('?'));
    const http::verb method = request.method();
    const unsigned version = request.version();

    if (path == "/v1/chat/completions" || path == "/chat/completions") {
        if (method == http::verb::post) {
            co_await m_proxy.serve(socket, deadline, request, *worker.pool, keepAlive);
            co_return;
        }
    }
    HttpResponse response;
    if (path == "/v1/chat/completions" || path == "/chat/completions") {
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
        response = m_admin.handle(request);
    } else {
        response = openAiErrorResponse(http::status::not_found,
                                       "Unknown path " + std::string(path)
                                           + " (this router serves POST /v1/chat/completions, GET /v1/models, "
                                             "/healthz, /metrics and /admin/…)",
                                       "invalid_request_error", "not_found", version);
    }
    co_await send(socket, deadline, response, keepAlive);
}

} // namespace rl

#include "upstreampool.h"

#include <openssl/ssl.h>

namespace rl {

std::unique_ptr<UpstreamConnection> UpstreamPool::takeIdle(const UpstreamEndpoint &endpoint)
{
    auto it = m_idle.find(&endpoint);
    if (it == m_idle.end())
        return nullptr;
    auto &idle = it->second;
    const auto now = std::chrono::steady_clock::now();
    while (!idle.empty()) {
        std::unique_ptr<UpstreamConnection> connection = std::move(idle.back());
        idle.pop_back();
        if (now - connection->idleSince < m_maxIdle)
            return connection;
        // Too old: the upstream has likely closed it; drop it and look at the next.
    }
    return nullptr;
}

asio::awaitable<std::unique_ptr<UpstreamConnection>> UpstreamPool::connect(const UpstreamEndpoint &endpoint,
                                                                           std::chrono::milliseconds timeout,
                                                                           beast::error_code &ec, bool &timedOut)
{
    timedOut = false;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    auto resolved = m_resolved.find(&endpoint);
    if (resolved == m_resolved.end()) {
        auto results = co_await m_resolver.async_resolve(endpoint.host, endpoint.port, token);
        if (ec)
            co_return nullptr;
        resolved = m_resolved.emplace(&endpoint, std::move(results)).first;
    }
    auto connection = std::make_unique<UpstreamConnection>(m_executor, endpoint, m_watchdog);
    tcp::socket &socket = connection->socket();
    connection->deadline().expireAfter(timeout);
    co_await asio::async_connect(socket, resolved->second, token);
    if (ec) {
        timedOut = connection->deadline().fired();
        m_resolved.erase(&endpoint); // resolve again next time: the address may have moved
        co_return nullptr;
    }
    socket.set_option(tcp::no_delay(true), ec);
    ec = {};
    if (endpoint.tls) {
        auto &tls = connection->tls();
        // SNI and host-name verification: without them a TLS connection proves nothing.
        // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
        if (SSL_ctrl(tls.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     const_cast<char *>(endpoint.host.c_str()))
            != 1) {
            ec = beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
            co_return nullptr;
        }
        tls.set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
        co_await tls.async_handshake(asio::ssl::stream_base::client, token);
        if (ec) {
            timedOut = connection->deadline().fired();
            co_return nullptr;
        }
    }
    connection->deadline().expireNever();
    co_return connection;
}

void UpstreamPool::release(std::unique_ptr<UpstreamConnection> connection)
{
    auto &idle = m_idle[&connection->endpoint()];
    if (idle.size() >= kMaxIdlePerEndpoint)
        return; // closes it
    connection->idleSince = std::chrono::steady_clock::now();
    connection->deadline().expireNever();
    idle.push_back(std::move(connection));
}

std::size_t UpstreamPool::idleCount() const
{
    std::size_t count = 0;
    for (const auto &[endpoint, idle] : m_idle)
        count += idle.size();
    return count;
}

void UpstreamPool::closeAll()
{
    m_idle.clear();
}

} // namespace rl

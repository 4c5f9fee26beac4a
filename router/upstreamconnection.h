#pragma once

#include "asioincludes.h"
#include "upstreamendpoint.h"
#include "watchdog.h"

#include <chrono>
#include <memory>
#include <optional>

namespace rl {

// One keep-alive connection to an upstream, plain or TLS, with its deadline and the bytes read past the
// last response.
class UpstreamConnection {
public:
    UpstreamConnection(const asio::any_io_executor &executor, const UpstreamEndpoint &endpoint, Watchdog &watchdog);

    const UpstreamEndpoint &endpoint() const { return *m_endpoint; }
    bool isTls() const { return m_tls.has_value(); }
    tcp::socket &socket() { return m_tls ? beast::get_lowest_layer(*m_tls) : *m_plain; }
    tcp::socket &plain() { return *m_plain; }
    beast::ssl_stream<tcp::socket> &tls() { return *m_tls; }
    beast::flat_buffer &buffer() { return m_buffer; } // kReadBufferBytes of room, so one read takes what has arrived
    Deadline &deadline() { return *m_deadline; }
    // Where an answer's body is read to, kReadBufferBytes long: one per connection, made on first use and kept
    // while the connection is pooled, so a request allocates none (and no coroutine frame holds one).
    static constexpr std::size_t kReadBufferBytes = 16384;
    char *readBuffer()
    {
        if (!m_readBuffer)
            m_readBuffer = std::make_unique<char[]>(kReadBufferBytes);
        return m_readBuffer.get();
    }

    // How many responses this connection has carried; a reused one may have been closed by the
    // upstream while idle, which is retried once on a fresh connection.
    int uses = 0;
    std::chrono::steady_clock::time_point idleSince;

private:
    const UpstreamEndpoint *m_endpoint;
    std::optional<tcp::socket> m_plain;
    std::optional<beast::ssl_stream<tcp::socket>> m_tls;
    std::optional<Deadline> m_deadline;
    beast::flat_buffer m_buffer;
    std::unique_ptr<char[]> m_readBuffer;
};

} // namespace rl

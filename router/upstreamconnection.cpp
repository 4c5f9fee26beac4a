#include "upstreamconnection.h"

namespace rl {

UpstreamConnection::UpstreamConnection(const asio::any_io_executor &executor, const UpstreamEndpoint &endpoint,
                                       Watchdog &watchdog)
    : m_endpoint(&endpoint)
{
    if (endpoint.tls)
        m_tls.emplace(executor, *endpoint.ssl);
    else
        m_plain.emplace(executor);
    m_deadline.emplace(watchdog, socket());
    // Beast reads as much as the buffer has room for, and at least 512 bytes: left to grow on its own, it read an
    // answer 512 bytes at a time, and a streamed answer left in as many writes to the client.
    m_buffer.reserve(kReadBufferBytes);
}

} // namespace rl

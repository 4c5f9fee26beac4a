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
}

} // namespace rl

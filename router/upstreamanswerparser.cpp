#include "upstreamanswerparser.h"

#include <algorithm>
#include <cstring>

namespace rl {

void UpstreamAnswerParser::on_field_impl(http::field name, beast::string_view, beast::string_view value,
                                         beast::error_code &)
{
    // The first of a repeated field, as a lookup in Beast's fields finds it.
    if (name == http::field::content_type && !m_sawContentType) {
        m_sawContentType = true;
        m_contentType.assign(value.data(), value.size());
    } else if (name == http::field::retry_after && !m_sawRetryAfter) {
        m_sawRetryAfter = true;
        m_retryAfter.assign(value.data(), value.size());
    }
}

std::size_t UpstreamAnswerParser::take(beast::string_view bytes, beast::error_code &ec)
{
    // What http::buffer_body's reader does: copy what fits, and ask for more room when it does not all fit.
    if (m_body == nullptr) {
        ec = http::error::need_buffer;
        return 0;
    }
    const std::size_t taken = std::min(bytes.size(), m_room);
    if (taken > 0)
        std::memcpy(m_body, bytes.data(), taken);
    m_body += taken;
    m_room -= taken;
    if (taken != bytes.size())
        ec = http::error::need_buffer;
    return taken;
}

} // namespace rl

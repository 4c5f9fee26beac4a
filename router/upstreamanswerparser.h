#pragma once

#include "asioincludes.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rl {

// Reads an upstream's answer keeping only what the router uses of its header: the status, Content-Type and
// Retry-After. Beast's response_parser stored every field (an allocation each, and an index to look two of them up
// in) of a header the router does not pass on. The body goes where the caller says, as with http::buffer_body: set
// the room before each read, see what is left of it after (need_buffer when it filled up).
class UpstreamAnswerParser : public http::basic_parser<false> {
public:
    int status() const { return m_status; }
    std::string_view contentType() const { return m_contentType; } // the first Content-Type, "" without one
    std::string_view retryAfter() const { return m_retryAfter; }   // the first Retry-After, "" without one

    // Where the next body bytes go, and how many fit.
    void setBodyRoom(char *data, std::size_t size)
    {
        m_body = data;
        m_room = size;
    }
    // How much of the room the last reads left.
    std::size_t room() const { return m_room; }

private:
    void on_request_impl(http::verb, beast::string_view, beast::string_view, int, beast::error_code &) override {}
    void on_response_impl(int code, beast::string_view, int, beast::error_code &) override { m_status = code; }
    void on_field_impl(http::field name, beast::string_view, beast::string_view value, beast::error_code &) override;
    void on_header_impl(beast::error_code &) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t> &, beast::error_code &) override {}
    std::size_t on_body_impl(beast::string_view body, beast::error_code &ec) override { return take(body, ec); }
    void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code &) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, beast::error_code &ec) override
    {
        return take(body, ec);
    }
    void on_finish_impl(beast::error_code &) override {}

    std::size_t take(beast::string_view bytes, beast::error_code &ec);

    int m_status = 0;
    bool m_sawContentType = false;
    bool m_sawRetryAfter = false;
    std::string m_contentType;
    std::string m_retryAfter;
    char *m_body = nullptr;
    std::size_t m_room = 0;
};

} // namespace rl

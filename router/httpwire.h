#pragma once

#include "asioincludes.h"

#include <array>
#include <string>

namespace rl {

// A message's start line and header fields as they go on the wire, byte for byte what Beast's serializer writes
// (`name: value` lines in the order set, then a blank line). Written with the body as two buffers of one gathered
// write: Beast's serializer walked a view of a dozen buffers for each piece it sent, which cost more than the
// request's routing decision.
std::string headerText(const http::request_header<> &header);
std::string headerText(const http::response_header<> &header);

// Writes `message` whole, its header from headerText and its body as they are (a string body sized by
// prepare_payload; a chunked one goes through Beast). Unlike http::async_write, a message that closes the
// connection sets no error: every caller ignores that one.
template <typename Stream, bool isRequest>
asio::awaitable<void> writeMessage(Stream &stream, const http::message<isRequest, http::string_body> &message,
                                   beast::error_code &ec)
{
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    if (message.chunked()) {
        co_await http::async_write(stream, message, token);
        co_return;
    }
    const std::string head = headerText(message.base());
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(message.body())};
    co_await asio::async_write(stream, buffers, token);
}

} // namespace rl

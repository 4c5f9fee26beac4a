#include "httptestclient.h"

#include "asioincludes.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>
#include <sys/time.h>

using namespace rl;

namespace {

void setReceiveTimeout(tcp::socket &socket, std::chrono::milliseconds timeout)
{
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

std::string lower(std::string text)
{
    for (char &c : text)
        c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return text;
}

} // namespace

struct HttpTestClient::Impl {
    std::uint16_t port;
    std::chrono::milliseconds timeout;
    asio::io_context context;
    tcp::socket socket{context};
    beast::flat_buffer buffer;
    bool open = false;

    bool connect(std::string &error)
    {
        beast::error_code ec;
        socket = tcp::socket(context);
        socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
        if (ec) {
            error = "connect: " + ec.message();
            return false;
        }
        socket.set_option(tcp::no_delay(true), ec);
        setReceiveTimeout(socket, timeout);
        buffer.clear();
        open = true;
        return true;
    }
};

HttpTestClient::HttpTestClient(std::uint16_t port, std::chrono::milliseconds timeout) : m_impl(new Impl)
{
    m_impl->port = port;
    m_impl->timeout = timeout;
}

HttpTestClient::~HttpTestClient()
{
    delete m_impl;
}

bool HttpTestClient::connected() const
{
    return m_impl->open;
}

HttpReply HttpTestClient::request(const std::string &method, const std::string &target, const std::string &body,
                                  const std::map<std::string, std::string> &headers)
{
    HttpReply reply;
    for (int round = 0; round < 2; ++round) {
        const bool reused = m_impl->open;
        if (!m_impl->open && !m_impl->connect(reply.transportError))
            return reply;
        HttpRequest request(http::string_to_verb(method), target, 11);
        request.set(http::field::host, "127.0.0.1");
        bool hasContentType = false;
        for (const auto &[name, value] : headers) {
            request.set(name, value);
            hasContentType = hasContentType || lower(name) == "content-type";
        }
        if (!body.empty() && !hasContentType)
            request.set(http::field::content_type, "application/json");
        request.body() = body;
        request.prepare_payload();
        beast::error_code ec;
        http::write(m_impl->socket, request, ec);
        http::response_parser<http::string_body> parser;
        parser.body_limit(256u << 20);
        if (!ec)
            http::read(m_impl->socket, m_impl->buffer, parser, ec);
        if (ec) {
            m_impl->open = false;
            beast::error_code ignored;
            m_impl->socket.close(ignored);
            if (reused && round == 0
                && (ec == http::error::end_of_stream || ec == asio::error::connection_reset
                    || ec == asio::error::broken_pipe))
                continue; // the server closed the idle keep-alive connection: one fresh try
            reply.transportError = ec.message();
            return reply;
        }
        auto response = parser.release();
        reply.transportOk = true;
        reply.status = static_cast<int>(response.result_int());
        for (const auto &field : response)
            reply.headers[lower(std::string(field.name_string()))] = std::string(field.value());
        reply.body = std::move(response.body());
        if (!response.keep_alive()) {
            m_impl->open = false;
            beast::error_code ignored;
            m_impl->socket.close(ignored);
        }
        return reply;
    }
    return reply;
}

std::string rawExchange(std::uint16_t port, const std::string &bytes, std::chrono::milliseconds timeout,
                        bool *closedByServer, const std::function<bool(const std::string &received)> &enough)
{
    asio::io_context context;
    tcp::socket socket(context);
    beast::error_code ec;
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    if (ec)
        return {};
    // Short receive timeouts inside an overall deadline: `timeout` bounds the whole exchange.
    setReceiveTimeout(socket, std::chrono::milliseconds(20));
    if (!bytes.empty())
        asio::write(socket, asio::buffer(bytes), ec);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string out;
    char chunk[4096];
    bool closed = false;
    while (std::chrono::steady_clock::now() < deadline) {
        std::size_t n = socket.read_some(asio::buffer(chunk), ec);
        out.append(chunk, n);
        if (n > 0 && enough && enough(out))
            break;
        if (ec == asio::error::would_block || ec == asio::error::try_again)
            continue;
        if (ec) {
            closed = ec == asio::error::eof || ec == asio::error::connection_reset;
            break;
        }
    }
    if (closedByServer)
        *closedByServer = closed;
    return out;
}

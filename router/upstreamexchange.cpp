#include "upstreamexchange.h"

#include "boundedjson.h"
#include "completionscan.h"
#include "completionusage.h"
#include "httpresponses.h"
#include "httptext.h"
#include "httpwire.h"
#include "sseforwarder.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>

namespace rl {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxUpstreamBodyBytes = 64u << 20;

// `data` framed as one chunk of a chunked body (RFC 9112 §7.1), appended to `out`.
void appendChunk(std::string &out, std::string_view data)
{
    // The size in hex, written by hand: snprintf cost more than the rest of the framing.
    char size[2 * sizeof(std::size_t)];
    char *digit = size + sizeof size;
    std::size_t rest = data.size();
    do {
        *--digit = "0123456789abcdef"[rest % 16];
        rest /= 16;
    } while (rest != 0);
    out.append(digit, static_cast<std::size_t>(size + sizeof size - digit)).append("\r\n").append(data).append("\r\n");
}

// Whether the next read of the body can return without waiting for the upstream: body bytes are already buffered
// (for a chunked body, at least the next chunk's size line: the CRLF that ends a chunk's data stays in the buffer
// until the next chunk arrives).
bool bodyBuffered(const beast::flat_buffer &buffer, bool chunked)
{
    std::string_view rest(static_cast<const char *>(buffer.data().data()), buffer.size());
    if (!chunked)
        return !rest.empty();
    if (rest.substr(0, 2) == "\r\n")
        rest.remove_prefix(2);
    return rest.find("\r\n") != std::string_view::npos;
}

// Writes what streamAnswer gathered for the client and empties it.
asio::awaitable<void> sendGathered(tcp::socket &client, Deadline &deadline, std::string &out, beast::error_code &ec)
{
    deadline.expireAfter(kClientWriteTimeout);
    co_await asio::async_write(client, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec));
    out.clear();
}

bool isNetworkReset(const beast::error_code &ec)
{
    return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset
           || ec == asio::error::broken_pipe || ec == http::error::partial_message;
}

} // namespace

asio::awaitable<UpstreamOutcome> UpstreamExchange::attempt(const UpstreamCandidate &candidate, ChatExchange &exchange,
                                                           UpstreamPool &pool) const
{
    const UpstreamEndpoint &endpoint = *candidate.endpoint;
    for (int round = 0; round < 2; ++round) {
        std::unique_ptr<UpstreamConnection> connection = round == 0 ? pool.takeIdle(endpoint) : nullptr;
        if (!connection) {
            beast::error_code ec;
            bool timedOut = false;
            connection =
                co_await pool.connect(endpoint, std::chrono::milliseconds(m_config.connectTimeoutMs), ec, timedOut);
            if (!connection) {
                UpstreamOutcome outcome;
                outcome.kind = timedOut ? UpstreamOutcome::Kind::Timeout : UpstreamOutcome::Kind::ServerError;
                outcome.detail = (timedOut ? "connecting to " : "cannot connect to ") + endpoint.hostHeader + ": "
                                 + (timedOut ? "no answer within " + std::to_string(m_config.connectTimeoutMs) + " ms"
                                             : ec.message());
                co_return outcome;
            }
        }
        // (No co_await inside ?: — GCC 12 mis-destroys the temporaries of a conditional co_await.)
        UpstreamOutcome outcome;
        if (connection->isTls())
            outcome = co_await exchangeOn(connection->tls(), *connection, candidate, exchange);
        else
            outcome = co_await exchangeOn(connection->plain(), *connection, candidate, exchange);
        // A pooled connection the upstream closed while it sat idle: try once more on a fresh one.
        if (outcome.staleConnection && connection->uses > 0 && round == 0)
            continue;
        ++connection->uses;
        if (outcome.reusable)
            pool.release(std::move(connection));
        co_return outcome;
    }
    co_return UpstreamOutcome{};
}

template <typename Stream>
asio::awaitable<UpstreamOutcome> UpstreamExchange::exchangeOn(Stream &stream, UpstreamConnection &connection,
                                                              const UpstreamCandidate &candidate,
                                                              ChatExchange &exchange) const
{
    UpstreamOutcome outcome;
    beast::error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    const UpstreamEndpoint &endpoint = connection.endpoint();

    // The request's header written out directly (what Beast wrote for the same fields, in the same order), and sent
    // with the body in one gathered write: no message to build, no copy of the body for each attempt.
    std::string head;
    head.reserve(192 + endpoint.pathPrefix.size() + endpoint.hostHeader.size() + endpoint.authorization.size());
    head.append("POST ").append(endpoint.pathPrefix).append("/chat/completions HTTP/1.1\r\nHost: ");
    head.append(endpoint.hostHeader).append("\r\n");
    if (!endpoint.authorization.empty())
        head.append("Authorization: ").append(endpoint.authorization).append("\r\n");
    head.append("Content-Type: application/json\r\nAccept: ");
    head.append(exchange.stream ? "text/event-stream" : "application/json");
    head.append("\r\nUser-Agent: routeledger-router\r\nContent-Length: ");
    head.append(std::to_string(exchange.upstreamBody.size())).append("\r\n\r\n");
    const std::array<asio::const_buffer, 2> request{asio::buffer(head), asio::buffer(exchange.upstreamBody)};

    connection.deadline().expireAfter(std::chrono::milliseconds(m_config.firstByteTimeoutMs));
    co_await asio::async_write(stream, request, token);
    if (ec) {
        outcome.staleConnection = isNetworkReset(ec);
        outcome.kind =
            connection.deadline().fired() ? UpstreamOutcome::Kind::Timeout : UpstreamOutcome::Kind::ServerError;
        outcome.detail = "sending the request to " + endpoint.hostHeader + " failed: " + ec.message();
        co_return outcome;
    }

    AnswerParser parser;
    parser.body_limit(kMaxUpstreamBodyBytes);
    co_await http::async_read_header(stream, connection.buffer(), parser, token);
    if (ec) {
        outcome.staleConnection = isNetworkReset(ec) && connection.buffer().size() == 0;
        if (connection.deadline().fired()) {
            outcome.kind = UpstreamOutcome::Kind::Timeout;
            outcome.detail = "no answer from " + endpoint.hostHeader + " within "
                             + std::to_string(m_config.firstByteTimeoutMs) + " ms";
        } else {
            outcome.kind = UpstreamOutcome::Kind::ServerError;
            outcome.detail = "the upstream " + endpoint.hostHeader + " closed the connection without an answer ("
                             + ec.message() + ")";
        }
        co_return outcome;
    }
    exchange.firstByteMs = msSince(exchange.started);
    outcome.httpStatus = parser.status();
    const bool eventStream = startsWithNoCase(parser.contentType(), "text/event-stream");
    if (outcome.httpStatus == 200 && eventStream && exchange.stream)
        co_await streamAnswer(stream, connection, parser, candidate, exchange, outcome);
    else
        co_await readAnswer(stream, connection, parser, candidate, exchange, outcome);
    co_return outcome;
}

template <typename Stream>
asio::awaitable<void> UpstreamExchange::streamAnswer(Stream &stream, UpstreamConnection &connection,
                                                     AnswerParser &parser, const UpstreamCandidate &candidate,
                                                     ChatExchange &exchange, UpstreamOutcome &outcome) const
{
    // Committed to this upstream: from here on the client sees bytes as they arrive.
    outcome.kind = UpstreamOutcome::Kind::Streamed;
    beast::error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    const Tier *tier =
        candidate.tier >= 0 ? &exchange.policy->tiers[static_cast<std::size_t>(candidate.tier)] : nullptr;
    http::response<http::empty_body> response(http::status::ok, exchange.request.version());
    response.set(http::field::content_type, parser.contentType());
    response.set(http::field::cache_control, "no-cache");
    exchange.setRoutingHeaders(response, tier != nullptr ? std::string_view(tier->name) : std::string_view(),
                               candidate.model);
    response.chunked(true);
    response.keep_alive(exchange.keepAlive);
    // What the client gets is gathered here and written once per read from the upstream: an answer that arrives
    // whole (the usual short stream) leaves in one write, header, events and last chunk together, instead of four.
    std::string out = headerText(response);
    // Room for a short answer's events without regrowing, under the size from which malloc sorts its free lists.
    constexpr std::size_t kGatherBytes = 1000;
    out.reserve(kGatherBytes);
    beast::error_code clientEc;
    // No event has arrived with the header: the client sees the stream start now, not with its first event.
    if (!bodyBuffered(connection.buffer(), parser.chunked()))
        co_await sendGathered(exchange.client, exchange.clientDeadline, out, clientEc);

    char *const buffer = connection.readBuffer();
    const std::size_t bufferSize = UpstreamConnection::kReadBufferBytes;
    SseForwarder forwarder(exchange.suppressUsageEvent);
    std::string events; // complete events not yet framed: what arrives together leaves as one chunk
    events.reserve(kGatherBytes);
    bool oversized = false;
    while (!clientEc && !parser.is_done()) {
        parser.setBodyRoom(buffer, bufferSize);
        connection.deadline().expireAfter(std::chrono::milliseconds(m_config.idleTimeoutMs));
        // read_some: hand over what has arrived now (async_read would wait for a full buffer).
        co_await http::async_read_some(stream, connection.buffer(), parser, token);
        if (ec == http::error::need_buffer)
            ec = {};
        // Bytes that arrived before a failure are still the client's.
        const std::size_t received = bufferSize - parser.room();
        if (received > 0 && !forwarder.feed(std::string_view(buffer, received), events)) {
            oversized = true;
            break;
        }
        if (ec || parser.is_done())
            break; // what is gathered leaves with the end of the stream
        // Bytes already received (more chunks of the upstream's chunked body) join this write; it leaves when the
        // next read would wait for the upstream.
        if (!bodyBuffered(connection.buffer(), parser.chunked()) && (!events.empty() || !out.empty())) {
            if (!events.empty())
                appendChunk(out, events);
            events.clear();
            co_await sendGathered(exchange.client, exchange.clientDeadline, out, clientEc);
        }
    }
    outcome.usage = forwarder.usage();
    if (clientEc) {
        outcome.streamFailed = true;
        outcome.detail = "the client went away mid-stream (" + clientEc.message() + ")";
        co_return; // the upstream connection is dropped with it
    }
    std::string tail = forwarder.takeRemainder();
    if (ec || oversized) {
        outcome.streamFailed = true;
        outcome.detail = oversized                       ? "the upstream sent an event over 1 MiB"
                         : connection.deadline().fired() ? "the upstream went silent mid-stream for "
                                                               + std::to_string(m_config.idleTimeoutMs) + " ms"
                                                         : "the upstream broke off mid-stream (" + ec.message() + ")";
        // End the stream properly, with an error event the SDKs raise as an APIError.
        tail = "data: "
               + openAiErrorBody("The upstream for " + candidate.model + " failed mid-stream: " + outcome.detail,
                                 "server_error", "upstream_stream_error")
               + "\n\n";
    }
    events += tail;
    if (!events.empty())
        appendChunk(out, events);
    out += "0\r\n\r\n"; // the last chunk
    co_await sendGathered(exchange.client, exchange.clientDeadline, out, clientEc);
    if (clientEc) {
        outcome.streamFailed = true;
        if (outcome.detail.empty())
            outcome.detail = "the client went away mid-stream (" + clientEc.message() + ")";
    }
    outcome.reusable = !ec && !oversized && parser.is_done() && parser.keep_alive();
}

template <typename Stream>
asio::awaitable<void> UpstreamExchange::readAnswer(Stream &stream, UpstreamConnection &connection, AnswerParser &parser,
                                                   const UpstreamCandidate &candidate, ChatExchange &exchange,
                                                   UpstreamOutcome &outcome) const
{
    // Any answer but an event stream to a streaming client is read whole: it is small, and until it is sent
    // the request can still fall back.
    beast::error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    char *const buffer = connection.readBuffer();
    const std::size_t bufferSize = UpstreamConnection::kReadBufferBytes;
    std::string body;
    if (const auto length = parser.content_length(); length && *length <= kMaxUpstreamBodyBytes)
        body.reserve(static_cast<std::size_t>(*length));
    while (!parser.is_done()) {
        parser.setBodyRoom(buffer, bufferSize);
        connection.deadline().expireAfter(std::chrono::milliseconds(m_config.idleTimeoutMs));
        co_await http::async_read(stream, connection.buffer(), parser, token);
        if (ec == http::error::need_buffer)
            ec = {};
        if (ec)
            break;
        body.append(buffer, bufferSize - parser.room());
    }
    if (ec) {
        outcome.kind =
            connection.deadline().fired() ? UpstreamOutcome::Kind::Timeout : UpstreamOutcome::Kind::ServerError;
        outcome.detail = ec == http::error::body_limit ? "the upstream's answer is larger than 64 MiB"
                                                       : "the upstream " + connection.endpoint().hostHeader
                                                             + " broke off its answer (" + ec.message() + ")";
        co_return;
    }
    outcome.reusable = parser.keep_alive();

    const std::string_view contentType = parser.contentType();
    const int status = outcome.httpStatus;
    outcome.response = HttpResponse(static_cast<http::status>(status), exchange.request.version());
    if (!contentType.empty())
        outcome.response.set(http::field::content_type, contentType);
    if (const std::string_view retryAfter = parser.retryAfter(); !retryAfter.empty())
        outcome.response.set(http::field::retry_after, retryAfter);
    if (status >= 200 && status < 300) {
        // Validated and bounded in one pass without building a document, only the small usage object parsed; the
        // bounds are checked apart only to say why an answer was refused.
        std::size_t first = body.find_first_not_of(" \t\r\n");
        std::optional<CompletionScan> scan;
        if (first != std::string::npos && body[first] == '{')
            scan = CompletionScan::scan(body, JsonLimits{});
        if (!scan) {
            const Result<void> shape = checkJsonShape(body, JsonLimits{});
            outcome.kind = UpstreamOutcome::Kind::ServerError;
            std::string start = body.substr(0, 40);
            for (char &c : start)
                c = (c >= 32 && c < 127) ? c : '?';
            outcome.detail = !shape ? "the upstream answered " + std::to_string(status) + " with JSON that has "
                                          + shape.error().message
                                    : "the upstream answered " + std::to_string(status)
                                          + " with a body that is not a JSON object (starts with \"" + start + "\")";
            outcome.response = HttpResponse();
            co_return;
        }
        if (const nlohmann::json *usage = scan->firstUsageObject())
            outcome.usage = readCompletionUsage(*usage);
        outcome.kind = UpstreamOutcome::Kind::Ok;
        outcome.response.body() = std::move(body);
        co_return;
    }
    outcome.kind = status == 429                      ? UpstreamOutcome::Kind::RateLimited
                   : (status >= 500 || status == 408) ? UpstreamOutcome::Kind::ServerError
                                                      : UpstreamOutcome::Kind::ClientError;
    outcome.detail = "the upstream answered HTTP " + std::to_string(status);
    // Pass a provider's own error through when it is JSON; anything else (an HTML error page) is replaced
    // by an OpenAI-style error that says what happened.
    if (startsWithNoCase(contentType, "application/json") && json::accept(body)) {
        outcome.response.body() = std::move(body);
    } else {
        outcome.response.set(http::field::content_type, "application/json");
        outcome.response.body() =
            openAiErrorBody("The upstream for " + candidate.model + " answered HTTP " + std::to_string(status)
                                + " without a JSON error body",
                            status == 429 ? "rate_limit_error" : "server_error", "upstream_error");
    }
}

} // namespace rl

#include "chatproxy.h"

#include "boundedjson.h"
#include "completionusage.h"
#include "httpresponses.h"
#include "httptext.h"
#include "sseforwarder.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>

namespace rl {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxUpstreamBodyBytes = 64u << 20;
constexpr auto kClientWriteTimeout = std::chrono::seconds(60);

std::int64_t systemNowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::int64_t msSince(Clock::time_point start)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

bool isNetworkReset(const beast::error_code &ec)
{
    return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset
           || ec == asio::error::broken_pipe || ec == http::error::partial_message;
}

} // namespace

// What one try at one upstream came to.
struct ChatProxy::Outcome {
    enum class Kind { Ok, Timeout, RateLimited, ServerError, ClientError, Streamed };
    Kind kind = Kind::ServerError;
    int httpStatus = 0;
    std::string detail;    // why it failed, for the ledger and the client's error message
    HttpResponse response; // non-streamed answers, sent when this is the final attempt
    std::optional<TokenUsage> usage;
    bool streamFailed = false; // streamed: the upstream broke off or the client went away
    bool staleConnection = false;
    bool reusable = false;

    std::string_view fallbackReason() const
    {
        switch (kind) {
        case Kind::Timeout: return "timeout";
        case Kind::RateLimited: return "rate_limited";
        case Kind::ServerError: return "server_error";
        default: return {};
        }
    }
};

// The request being served, shared by its attempts.
struct ChatProxy::Exchange {
    tcp::socket &client;
    Deadline &clientDeadline;
    const HttpRequest &request;
    bool &keepAlive;
    std::string upstreamBody; // the client's body with the router's own fields removed; `model` set per attempt
    bool stream = false;
    bool suppressUsageEvent = false;
    Clock::time_point started;
    std::int64_t firstByteMs = 0;
    std::string requestId;
    std::string ruleId;
    std::string policyVersion;
    std::shared_ptr<const Policy> policy;
};

ChatProxy::ChatProxy(const RouterConfig &config, const std::vector<UpstreamEndpoint> &endpoints, PolicyHolder &policies,
                     const RoutingEngine &engine, const Pricing &pricing, CircuitBreaker &breaker,
                     RouterMetrics &metrics, UsageLedger &ledger)
    : m_config(config), m_endpoints(endpoints), m_policies(policies), m_engine(engine), m_pricing(pricing),
      m_breaker(breaker), m_metrics(metrics), m_ledger(ledger), m_identifier(config)
{
    std::random_device random;
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "rl-%08x", random());
    m_requestIdPrefix = prefix;
}

std::string ChatProxy::nextRequestId()
{
    // Unique across restarts: a random prefix per process, a counter and the start time.
    return m_requestIdPrefix + "-" + std::to_string(systemNowMs()) + "-"
           + std::to_string(m_requestCounter.fetch_add(1, std::memory_order_relaxed));
}

const UpstreamEndpoint *ChatProxy::endpointFor(std::string_view model) const
{
    auto slash = model.find('/');
    if (slash == std::string_view::npos)
        return nullptr;
    for (const UpstreamEndpoint &endpoint : m_endpoints) {
        if (endpoint.provider == model.substr(0, slash))
            return &endpoint;
    }
    return nullptr;
}

Result<ClientIdentity> ChatProxy::identify(const HttpRequest &request) const
{
    return m_identifier.identify([&request](std::string_view name) { return request[name]; });
}

HttpResponse ChatProxy::unauthorized(const Error &error, unsigned version)
{
    m_metrics.recordRejected(error.code);
    HttpResponse response =
        openAiErrorResponse(http::status::unauthorized, error.message, "invalid_request_error", error.code, version);
    response.set(http::field::www_authenticate, "Bearer realm=\"routeledger-router\"");
    return response;
}

std::vector<ChatProxy::Candidate> ChatProxy::candidates(const Decision &decision) const
{
    std::vector<Candidate> out;
    const Policy &policy = *decision.policy;
    auto add = [&](std::string_view model, int tier) {
        for (const Candidate &existing : out) {
            if (existing.model == model)
                return;
        }
        out.push_back(Candidate{std::string(model), tier, endpointFor(model)});
    };
    add(decision.model, decision.tier);
    if (decision.tier < 0)
        return out; // a pinned model outside every tier has no fallbacks
    auto addTier = [&](int tier) {
        for (const std::string &model : policy.tiers[static_cast<std::size_t>(tier)].models)
            add(model, tier);
    };
    addTier(decision.tier);
    const int tierCount = static_cast<int>(policy.tiers.size());
    if (policy.fallback.acrossTiers == "down") {
        for (int tier = decision.tier + 1; tier < tierCount; ++tier)
            addTier(tier);
    } else if (policy.fallback.acrossTiers == "up") {
        for (int tier = decision.tier - 1; tier >= 0; --tier)
            addTier(tier);
    }
    return out;
}

HttpResponse ChatProxy::models(unsigned version) const
{
    auto policy = m_policies.policy();
    json data = json::array();
    std::set<std::string> seen;
    auto add = [&](const std::string &id, const std::string &owner) {
        if (seen.insert(id).second)
            data.push_back({{"id", id}, {"object", "model"}, {"created", 0}, {"owned_by", owner}});
    };
    add("auto", "routeledger");
    for (const Tier &tier : policy->tiers)
        add(tier.name, "routeledger");
    for (const Tier &tier : policy->tiers) {
        for (const std::string &model : tier.models)
            add(model, model.substr(0, model.find('/')));
    }
    for (const ProviderConfig &provider : m_config.providers) {
        for (const std::string &model : provider.models)
            add(model, provider.name);
    }
    return jsonResponse(http::status::ok, toJsonText(json{{"object", "list"}, {"data", std::move(data)}}), version);
}

asio::awaitable<void> ChatProxy::respond(tcp::socket &client, Deadline &clientDeadline, HttpResponse &response,
                                         bool keepAlive)
{
    beast::error_code ec;
    response.keep_alive(keepAlive);
    response.prepare_payload();
    clientDeadline.expireAfter(kClientWriteTimeout);
    co_await http::async_write(client, response, asio::redirect_error(asio::use_awaitable, ec));
}

void ChatProxy::finish(LedgerEvent &event, std::string_view tier, Clock::time_point started)
{
    UsageEvent &usage = event.usage;
    usage.latencyMs = msSince(started);
    m_metrics.recordRequest(tier, usage.model, usageStatusName(usage.status), event.httpStatus,
                            std::chrono::duration<double>(Clock::now() - started).count());
    m_ledger.append(std::move(event));
}

asio::awaitable<void> ChatProxy::serve(tcp::socket &client, Deadline &clientDeadline, HttpRequest &request,
                                       const ClientIdentity &who, UpstreamPool &pool, bool &keepAlive)
{
    const auto started = Clock::now();
    const unsigned version = request.version();

    auto reject = [&](http::status status, std::string_view message, std::string_view type, std::string_view code) {
        m_metrics.recordRejected(code);
        return openAiErrorResponse(status, message, type, code, version);
    };

    Result<ChatRequest> read =
        ChatRequest::read(request[http::field::content_type], request.body(), who, systemNowMs());
    if (!read) {
        const Error &error = read.error();
        HttpResponse rejection = reject(error.code == "unsupported_media_type" ? http::status::unsupported_media_type
                                                                               : http::status::bad_request,
                                        error.message, "invalid_request_error", error.code);
        co_await respond(client, clientDeadline, rejection, keepAlive);
        co_return;
    }
    ChatRequest &chat = read.value();
    RouteRequest &rr = chat.route;
    auto policy = m_policies.policy();
    if (rr.requestedModel.find('/') != std::string::npos && endpointFor(rr.requestedModel) == nullptr
        && policy->tierOfModel(rr.requestedModel) < 0) {
        HttpResponse response =
            reject(http::status::not_found,
                   "The model '" + rr.requestedModel + "' is not served here: no provider '"
                       + rr.requestedModel.substr(0, rr.requestedModel.find('/'))
                       + "' is configured. Use \"auto\", a tier name or a model from GET /v1/models",
                   "invalid_request_error", "model_not_found");
        co_await respond(client, clientDeadline, response, keepAlive);
        co_return;
    }

    Decision decision = m_engine.decide(policy, rr);

    LedgerEvent event;
    UsageEvent &usage = event.usage;
    usage.requestId = nextRequestId();
    usage.timeMs = rr.timeMs;
    usage.team = rr.team;
    usage.user = rr.user;
    usage.app = rr.app;
    usage.tags = rr.tags;
    usage.requestedModel = rr.requestedModel;
    usage.rule = decision.rule >= 0                                ? std::string(decision.ruleId())
                 : decision.decidedBy == DecidedBy::RequestedTier  ? "requested-tier"
                 : decision.decidedBy == DecidedBy::RequestedModel ? "requested-model"
                                                                   : "default";
    usage.policyVersion = policy->version;
    usage.complexity = decision.complexity;
    usage.task = std::string(taskName(decision.task));
    event.stream = rr.stream;

    Exchange exchange{client,
                      clientDeadline,
                      request,
                      keepAlive,
                      {},
                      rr.stream,
                      chat.suppressUsageEvent,
                      started,
                      0,
                      usage.requestId,
                      usage.rule,
                      std::to_string(policy->version),
                      policy};

    auto routingHeaders = [&](auto &response, std::string_view tier, std::string_view model) {
        response.set("X-RouteLedger-Tier", tier);
        response.set("X-RouteLedger-Model", model);
        response.set("X-RouteLedger-Rule", exchange.ruleId);
        response.set("X-RouteLedger-Policy-Version", exchange.policyVersion);
        response.set("X-RouteLedger-Request-Id", exchange.requestId);
    };

    if (decision.blocked) {
        usage.status = UsageStatus::Blocked;
        event.httpStatus = 403;
        event.error = std::string(decision.blockReason);
        HttpResponse response = openAiErrorResponse(http::status::forbidden,
                                                    "Blocked by the routing policy (rule " + usage.rule
                                                        + "): " + std::string(decision.blockReason),
                                                    "routeledger_blocked", "blocked_by_policy", version);
        routingHeaders(response, "", "");
        co_await respond(client, clientDeadline, response, keepAlive);
        finish(event, "blocked", started);
        co_return;
    }

    std::vector<Candidate> candidates = this->candidates(decision);
    const int maxAttempts = policy->fallback.maxAttempts;
    int tries = 0;
    Outcome last;
    bool haveOutcome = false;
    const Candidate *served = nullptr;
    std::vector<std::string> skipped;
    for (std::size_t i = 0; i < candidates.size() && tries < maxAttempts; ++i) {
        const Candidate &candidate = candidates[i];
        if (candidate.endpoint == nullptr) {
            event.attempts.push_back({candidate.model, "no_provider", 0, 0});
            continue;
        }
        if (!m_breaker.allow(candidate.model)) {
            event.attempts.push_back({candidate.model, "circuit_open", 0, 0});
            skipped.push_back(candidate.model);
            continue;
        }
        if (haveOutcome)
            m_metrics.recordFallback(served->model, candidate.model);
        ++tries;
        const auto attemptStarted = Clock::now();
        exchange.upstreamBody =
            chat.upstreamBody(std::string_view(candidate.model).substr(candidate.model.find('/') + 1));
        // Routing headers describe the model actually serving, so they are set per attempt.
        last = co_await attempt(candidate, exchange, pool);
        haveOutcome = true;
        served = &candidate;
        const std::int64_t attemptMs = msSince(attemptStarted);
        std::string outcomeName =
            last.kind == Outcome::Kind::Ok || last.kind == Outcome::Kind::Streamed
                ? "ok"
                : (last.kind == Outcome::Kind::ClientError ? "client_error" : std::string(last.fallbackReason()));
        event.attempts.push_back({candidate.model, outcomeName, last.httpStatus, attemptMs});
        if (last.kind == Outcome::Kind::Ok || last.kind == Outcome::Kind::Streamed
            || last.kind == Outcome::Kind::ClientError) {
            m_breaker.recordSuccess(candidate.model);
            break;
        }
        m_breaker.recordFailure(candidate.model);
        m_metrics.recordUpstreamError(candidate.model, last.fallbackReason());
        const auto &on = policy->fallback.on;
        if (std::find(on.begin(), on.end(), last.fallbackReason()) == on.end())
            break;
    }

    const Tier *servedTier =
        served != nullptr && served->tier >= 0 ? &policy->tiers[static_cast<std::size_t>(served->tier)] : nullptr;
    const std::string tierName = servedTier != nullptr ? servedTier->name : std::string();
    usage.model = served != nullptr ? served->model : std::string(decision.model);
    usage.provider = usage.model.substr(0, usage.model.find('/'));
    usage.tier = tierName;
    usage.tierRank = served != nullptr ? served->tier : decision.tier;
    event.firstByteMs = exchange.firstByteMs;

    if (!haveOutcome) {
        // Every candidate's breaker is open.
        std::int64_t retryMs = 0;
        for (const std::string &model : skipped)
            retryMs = retryMs == 0 ? m_breaker.retryAfterMs(model) : std::min(retryMs, m_breaker.retryAfterMs(model));
        std::string list;
        for (const std::string &model : skipped)
            list += (list.empty() ? "" : ", ") + model;
        usage.status = UsageStatus::Error;
        event.httpStatus = 503;
        event.error = "circuit open for " + list;
        HttpResponse response =
            openAiErrorResponse(http::status::service_unavailable,
                                "Every upstream for this request is failing and paused (circuit open for " + list
                                    + "); retry in " + std::to_string((retryMs + 999) / 1000) + " s",
                                "server_error", "upstream_unavailable", version);
        response.set(http::field::retry_after, std::to_string(std::max<std::int64_t>(1, (retryMs + 999) / 1000)));
        routingHeaders(response, tierName, usage.model);
        co_await respond(client, clientDeadline, response, keepAlive);
        finish(event, tierName, started);
        co_return;
    }

    const bool fellBack = event.attempts.size() > 1;
    if (!last.usage && (last.kind == Outcome::Kind::Ok || last.kind == Outcome::Kind::Streamed)) {
        // An answer without a usable `usage` object: its tokens and cost are unknown, not zero.
        usage.unmetered = true;
        m_metrics.recordUnmetered(usage.model);
    }
    if (last.usage) {
        usage.tokens = *last.usage;
        Cost cost = m_pricing.cost(usage.model, usage.tokens, usage.timeMs);
        usage.costMicro = cost.microUsd;
        usage.unpriced = cost.unpriced;
        if (!policy->tiers.empty() && !policy->tiers.front().models.empty())
            usage.frontierCostMicro =
                m_pricing.cost(policy->tiers.front().models.front(), usage.tokens, usage.timeMs).microUsd;
    }

    if (last.kind == Outcome::Kind::Streamed) {
        usage.status = last.streamFailed ? UsageStatus::Error : (fellBack ? UsageStatus::Fallback : UsageStatus::Ok);
        event.httpStatus = 200;
        event.error = last.detail;
        if (last.streamFailed)
            keepAlive = false;
        finish(event, tierName, started);
        co_return;
    }

    HttpResponse response;
    if (!last.response.body().empty()) {
        response = std::move(last.response); // the answer, or the provider's own error
    } else {
        // Timeouts, resets and garbage: the client gets a clean OpenAI-style error saying what happened.
        const bool timeout = last.kind == Outcome::Kind::Timeout;
        response = openAiErrorResponse(timeout ? http::status::gateway_timeout : http::status::bad_gateway,
                                       "The upstream for " + usage.model + " failed: " + last.detail, "server_error",
                                       timeout ? "upstream_timeout" : "upstream_error", version);
    }
    routingHeaders(response, tierName, usage.model);
    if (fellBack)
        response.set("X-RouteLedger-Attempts", std::to_string(event.attempts.size()));
    event.httpStatus = static_cast<int>(response.result_int());
    if (last.kind == Outcome::Kind::Ok)
        usage.status = fellBack ? UsageStatus::Fallback : UsageStatus::Ok;
    else {
        usage.status = UsageStatus::Error;
        event.error = last.detail;
    }
    co_await respond(client, clientDeadline, response, keepAlive);
    finish(event, tierName, started);
}

asio::awaitable<ChatProxy::Outcome> ChatProxy::attempt(const Candidate &candidate, Exchange &exchange,
                                                       UpstreamPool &pool)
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
                Outcome outcome;
                outcome.kind = timedOut ? Outcome::Kind::Timeout : Outcome::Kind::ServerError;
                outcome.detail = (timedOut ? "connecting to " : "cannot connect to ") + endpoint.hostHeader + ": "
                                 + (timedOut ? "no answer within " + std::to_string(m_config.connectTimeoutMs) + " ms"
                                             : ec.message());
                co_return outcome;
            }
        }
        // (No co_await inside ?: — GCC 12 mis-destroys the temporaries of a conditional co_await.)
        Outcome outcome;
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
    co_return Outcome{};
}

template <typename Stream>
asio::awaitable<ChatProxy::Outcome> ChatProxy::exchangeOn(Stream &stream, UpstreamConnection &connection,
                                                          const Candidate &candidate, Exchange &exchange)
{
    Outcome outcome;
    beast::error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    const UpstreamEndpoint &endpoint = connection.endpoint();

    HttpRequest upstream(http::verb::post, endpoint.pathPrefix + "/chat/completions", 11);
    upstream.set(http::field::host, endpoint.hostHeader);
    if (!endpoint.authorization.empty())
        upstream.set(http::field::authorization, endpoint.authorization);
    upstream.set(http::field::content_type, "application/json");
    upstream.set(http::field::accept, exchange.stream ? "text/event-stream" : "application/json");
    upstream.set(http::field::user_agent, "routeledger-router");
    upstream.keep_alive(true);
    upstream.body() = exchange.upstreamBody;
    upstream.prepare_payload();

    connection.deadline().expireAfter(std::chrono::milliseconds(m_config.firstByteTimeoutMs));
    co_await http::async_write(stream, upstream, token);
    if (ec) {
        outcome.staleConnection = isNetworkReset(ec);
        outcome.kind = connection.deadline().fired() ? Outcome::Kind::Timeout : Outcome::Kind::ServerError;
        outcome.detail = "sending the request to " + endpoint.hostHeader + " failed: " + ec.message();
        co_return outcome;
    }

    http::response_parser<http::buffer_body> parser;
    parser.body_limit(kMaxUpstreamBodyBytes);
    co_await http::async_read_header(stream, connection.buffer(), parser, token);
    if (ec) {
        outcome.staleConnection = isNetworkReset(ec) && connection.buffer().size() == 0;
        if (connection.deadline().fired()) {
            outcome.kind = Outcome::Kind::Timeout;
            outcome.detail = "no answer from " + endpoint.hostHeader + " within "
                             + std::to_string(m_config.firstByteTimeoutMs) + " ms";
        } else {
            outcome.kind = Outcome::Kind::ServerError;
            outcome.detail = "the upstream " + endpoint.hostHeader + " closed the connection without an answer ("
                             + ec.message() + ")";
        }
        co_return outcome;
    }
    exchange.firstByteMs = msSince(exchange.started);
    const auto &head = parser.get();
    outcome.httpStatus = static_cast<int>(head.result_int());
    const std::string contentType(head[http::field::content_type]);
    const bool eventStream = startsWithNoCase(contentType, "text/event-stream");
    const Tier *tier =
        candidate.tier >= 0 ? &exchange.policy->tiers[static_cast<std::size_t>(candidate.tier)] : nullptr;
    const std::string_view tierName = tier != nullptr ? std::string_view(tier->name) : std::string_view();
    char buffer[16384];

    if (outcome.httpStatus == 200 && eventStream && exchange.stream) {
        // Committed to this upstream: from here on the client sees bytes as they arrive.
        outcome.kind = Outcome::Kind::Streamed;
        http::response<http::empty_body> response(http::status::ok, exchange.request.version());
        response.set(http::field::content_type, contentType);
        response.set(http::field::cache_control, "no-cache");
        response.set("X-RouteLedger-Tier", tierName);
        response.set("X-RouteLedger-Model", candidate.model);
        response.set("X-RouteLedger-Rule", exchange.ruleId);
        response.set("X-RouteLedger-Policy-Version", exchange.policyVersion);
        response.set("X-RouteLedger-Request-Id", exchange.requestId);
        response.chunked(true);
        response.keep_alive(exchange.keepAlive);
        http::response_serializer<http::empty_body> serializer(response);
        beast::error_code clientEc;
        auto clientToken = asio::redirect_error(asio::use_awaitable, clientEc);
        exchange.clientDeadline.expireAfter(kClientWriteTimeout);
        co_await http::async_write_header(exchange.client, serializer, clientToken);

        SseForwarder forwarder(exchange.suppressUsageEvent);
        std::string out;
        out.reserve(sizeof buffer);
        bool oversized = false;
        while (!clientEc && !parser.is_done()) {
            parser.get().body().data = buffer;
            parser.get().body().size = sizeof buffer;
            connection.deadline().expireAfter(std::chrono::milliseconds(m_config.idleTimeoutMs));
            // read_some: hand over what has arrived now (async_read would wait for a full buffer).
            co_await http::async_read_some(stream, connection.buffer(), parser, token);
            if (ec == http::error::need_buffer)
                ec = {};
            // Bytes that arrived before a failure are still the client's.
            const std::size_t received = sizeof buffer - parser.get().body().size;
            out.clear();
            if (received > 0 && !forwarder.feed(std::string_view(buffer, received), out)) {
                oversized = true;
                break;
            }
            if (!out.empty()) {
                exchange.clientDeadline.expireAfter(kClientWriteTimeout);
                co_await asio::async_write(exchange.client, http::make_chunk(asio::buffer(out)), clientToken);
            }
            if (ec)
                break;
        }
        outcome.usage = forwarder.usage();
        if (clientEc) {
            outcome.streamFailed = true;
            outcome.detail = "the client went away mid-stream (" + clientEc.message() + ")";
            co_return outcome; // the upstream connection is dropped with it
        }
        std::string tail = forwarder.takeRemainder();
        if (ec || oversized) {
            outcome.streamFailed = true;
            outcome.detail =
                oversized ? "the upstream sent an event over 1 MiB"
                : connection.deadline().fired()
                    ? "the upstream went silent mid-stream for " + std::to_string(m_config.idleTimeoutMs) + " ms"
                    : "the upstream broke off mid-stream (" + ec.message() + ")";
            // End the stream properly, with an error event the SDKs raise as an APIError.
            tail = "data: "
                   + openAiErrorBody("The upstream for " + candidate.model + " failed mid-stream: " + outcome.detail,
                                     "server_error", "upstream_stream_error")
                   + "\n\n";
        }
        if (!tail.empty()) {
            exchange.clientDeadline.expireAfter(kClientWriteTimeout);
            co_await asio::async_write(exchange.client, http::make_chunk(asio::buffer(tail)), clientToken);
        }
        if (!clientEc)
            co_await asio::async_write(exchange.client, http::make_chunk_last(), clientToken);
        if (clientEc) {
            outcome.streamFailed = true;
            if (outcome.detail.empty())
                outcome.detail = "the client went away mid-stream (" + clientEc.message() + ")";
        }
        outcome.reusable = !ec && !oversized && parser.is_done() && parser.keep_alive();
        co_return outcome;
    }

    // Any other answer is read whole: it is small, and until it is sent the request can still fall back.
    std::string body;
    while (!parser.is_done()) {
        parser.get().body().data = buffer;
        parser.get().body().size = sizeof buffer;
        connection.deadline().expireAfter(std::chrono::milliseconds(m_config.idleTimeoutMs));
        co_await http::async_read(stream, connection.buffer(), parser, token);
        if (ec == http::error::need_buffer)
            ec = {};
        if (ec)
            break;
        body.append(buffer, sizeof buffer - parser.get().body().size);
    }
    if (ec) {
        outcome.kind = connection.deadline().fired() ? Outcome::Kind::Timeout : Outcome::Kind::ServerError;
        outcome.detail = ec == http::error::body_limit
                             ? "the upstream's answer is larger than 64 MiB"
                             : "the upstream " + endpoint.hostHeader + " broke off its answer (" + ec.message() + ")";
        co_return outcome;
    }
    outcome.reusable = parser.keep_alive();

    const int status = outcome.httpStatus;
    outcome.response = HttpResponse(static_cast<http::status>(status), exchange.request.version());
    if (!contentType.empty())
        outcome.response.set(http::field::content_type, contentType);
    if (auto retryAfter = head[http::field::retry_after]; !retryAfter.empty())
        outcome.response.set(http::field::retry_after, retryAfter);
    if (status >= 200 && status < 300) {
        // Validate without building a document, then parse only the small usage object.
        std::size_t first = body.find_first_not_of(" \t\r\n");
        const Result<void> shape = checkJsonShape(body, JsonLimits{});
        if (first == std::string::npos || body[first] != '{' || !shape || !json::accept(body)) {
            outcome.kind = Outcome::Kind::ServerError;
            std::string start = body.substr(0, 40);
            for (char &c : start)
                c = (c >= 32 && c < 127) ? c : '?';
            outcome.detail = !shape ? "the upstream answered " + std::to_string(status) + " with JSON that has "
                                          + shape.error().message
                                    : "the upstream answered " + std::to_string(status)
                                          + " with a body that is not a JSON object (starts with \"" + start + "\")";
            outcome.response = HttpResponse();
            co_return outcome;
        }
        outcome.usage = findCompletionUsage(body);
        outcome.kind = Outcome::Kind::Ok;
        outcome.response.body() = std::move(body);
        co_return outcome;
    }
    outcome.kind = status == 429                      ? Outcome::Kind::RateLimited
                   : (status >= 500 || status == 408) ? Outcome::Kind::ServerError
                                                      : Outcome::Kind::ClientError;
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
    co_return outcome;
}

} // namespace rl

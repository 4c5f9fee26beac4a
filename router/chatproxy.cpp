#include "chatproxy.h"

#include "boundedjson.h"
#include "httpresponses.h"
#include "httpwire.h"
#include "routing/promptchecks.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>

namespace rl {

using nlohmann::json;

namespace {

// The ledger's `rule` (and `shadow_rule`): the deciding rule's id, or how the request was decided without one.
std::string ruleLabel(const Decision &decision)
{
    if (decision.rule >= 0)
        return std::string(decision.ruleId());
    switch (decision.decidedBy) {
    case DecidedBy::RequestedTier: return "requested-tier";
    case DecidedBy::RequestedModel: return "requested-model";
    case DecidedBy::Rule:
    case DecidedBy::Default: break;
    }
    return "default";
}

} // namespace

ChatProxy::ChatProxy(const RouterConfig &config, const std::vector<UpstreamEndpoint> &endpoints, PolicyHolder &policies,
                     const RoutingEngine &engine, const Pricing &pricing, CircuitBreaker &breaker,
                     RouterMetrics &metrics, UsageLedger &ledger, Clock clock, EscalationDetector *escalations)
    : m_config(config), m_endpoints(endpoints), m_policies(policies), m_engine(engine), m_pricing(pricing),
      m_breaker(breaker), m_metrics(metrics), m_ledger(ledger), m_clock(std::move(clock)), m_escalations(escalations),
      m_upstream(config)
{
    std::random_device random;
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "rl-%08x", random());
    m_requestIdPrefix = prefix;
}

std::string ChatProxy::nextRequestId()
{
    // Unique across restarts: a random prefix per process, a counter and the start time.
    return m_requestIdPrefix + "-" + std::to_string(readClock(m_clock)) + "-"
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

std::vector<UpstreamCandidate> ChatProxy::candidates(const Decision &decision) const
{
    std::vector<UpstreamCandidate> out;
    const Policy &policy = *decision.policy;
    auto add = [&](std::string_view model, int tier) {
        for (const UpstreamCandidate &existing : out) {
            if (existing.model == model)
                return;
        }
        out.push_back(UpstreamCandidate{std::string(model), tier, endpointFor(model)});
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
    co_await writeMessage(client, response, ec);
}

void ChatProxy::finish(LedgerEvent &event, std::string_view tier, std::chrono::steady_clock::time_point started)
{
    UsageEvent &usage = event.usage;
    usage.latencyMs = msSince(started);
    // What the shadow's choice would have cost for the tokens this request really used, at the same time (0 for a
    // request that used none: blocked, failed, unmetered).
    if (usage.shadow && !usage.shadow->model.empty())
        usage.shadow->costMicro = m_pricing.cost(usage.shadow->model, usage.tokens, usage.timeMs).microUsd;
    m_metrics.recordRequest(tier, usage.model, usageStatusName(usage.status), event.httpStatus,
                            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    m_ledger.append(std::move(event));
}

asio::awaitable<void> ChatProxy::serve(tcp::socket &client, Deadline &clientDeadline, HttpRequest &request,
                                       const ClientIdentity &who, UpstreamPool &pool, bool &keepAlive)
{
    const auto started = std::chrono::steady_clock::now();
    const unsigned version = request.version();

    auto reject = [&](http::status status, std::string_view message, std::string_view type, std::string_view code) {
        m_metrics.recordRejected(code);
        return openAiErrorResponse(status, message, type, code, version);
    };

    Result<ChatRequest> read =
        ChatRequest::read(request[http::field::content_type], request.body(), who, readClock(m_clock));
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
    // One snapshot of the live and shadow policies for the whole request, however an admin swaps them meanwhile.
    const std::shared_ptr<const PolicyHolder::State> policies = m_policies.state();
    const std::shared_ptr<const Policy> &policy = policies->live.policy;
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
    usage.rule = ruleLabel(decision);
    usage.policyVersion = policy->version;
    usage.complexity = decision.complexity;
    usage.task = std::string(taskName(decision.task));
    event.stream = rr.stream;
    event.clientKeyId = who.keyId;
    if (m_escalations != nullptr && !decision.blocked) {
        // Before the shadow decision below changes the request's estimates; only a hash of the prompt is kept.
        const EscalationDetector::Request asked{
            rr.user,         rr.app,   rr.scoredText(), EscalationDetector::askedTier(decision, rr.requestedModel),
            usage.requestId, rr.timeMs};
        if (auto earlier = m_escalations->observe(asked)) {
            usage.escalationOf = std::move(*earlier);
            m_metrics.escalations.fetch_add(1, std::memory_order_relaxed);
        }
    }
    // What a replay of this event under another policy needs besides the fields above (prompts are never stored:
    // only how each prompt condition of the live and shadow policies came out).
    RoutingFeatures &features = usage.features;
    features.hasTools = rr.hasTools;
    features.hasImages = rr.hasImages;
    features.stream = rr.stream;
    features.inputTokens = decision.inputTokens;
    features.budgetUsed = rr.budgetUsed;
    features.promptChecks.emplace();
    PromptChecks::evaluate(policies->promptLeaves, rr, *features.promptChecks);

    if (policies->shadow) {
        // The shadow sees the request as the live decision did: its estimates are passed on, not scored again.
        rr.complexity = decision.complexity;
        rr.task = decision.task;
        rr.inputTokens = decision.inputTokens;
        const Decision shadowDecision = m_engine.decide(policies->shadow->policy, rr);
        ShadowOutcome &shadow = usage.shadow.emplace();
        shadow.policyVersion = policies->shadow->policy->version;
        shadow.blocked = shadowDecision.blocked;
        shadow.tier = std::string(shadowDecision.tierName());
        if (!shadowDecision.blocked)
            shadow.model = std::string(shadowDecision.model);
        shadow.rule = ruleLabel(shadowDecision);
        if (shadowDecision.tierName() != decision.tierName())
            m_metrics.shadowTierChanges.fetch_add(1, std::memory_order_relaxed);
    }

    ChatExchange exchange{client,
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

    if (decision.blocked) {
        usage.status = UsageStatus::Blocked;
        event.httpStatus = 403;
        event.error = std::string(decision.blockReason);
        HttpResponse response = openAiErrorResponse(http::status::forbidden,
                                                    "Blocked by the routing policy (rule " + usage.rule
                                                        + "): " + std::string(decision.blockReason),
                                                    "routeledger_blocked", "blocked_by_policy", version);
        exchange.setRoutingHeaders(response, "", "");
        finish(event, "blocked", started); // in the ledger before the client can rate it (POST /v1/feedback)
        co_await respond(client, clientDeadline, response, keepAlive);
        co_return;
    }

    std::vector<UpstreamCandidate> candidates = this->candidates(decision);
    const int maxAttempts = policy->fallback.maxAttempts;
    int tries = 0;
    UpstreamOutcome last;
    bool haveOutcome = false;
    const UpstreamCandidate *served = nullptr;
    std::vector<std::string> skipped;
    for (std::size_t i = 0; i < candidates.size() && tries < maxAttempts; ++i) {
        const UpstreamCandidate &candidate = candidates[i];
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
        const auto attemptStarted = std::chrono::steady_clock::now();
        exchange.upstreamBody =
            chat.upstreamBody(std::string_view(candidate.model).substr(candidate.model.find('/') + 1));
        // Routing headers describe the model actually serving, so they are set per attempt.
        last = co_await m_upstream.attempt(candidate, exchange, pool);
        haveOutcome = true;
        served = &candidate;
        const std::int64_t attemptMs = msSince(attemptStarted);
        event.attempts.push_back({candidate.model, std::string(last.ledgerName()), last.httpStatus, attemptMs});
        if (last.answered()) {
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
    if (usage.model != decision.model)
        usage.routedModel = std::string(decision.model); // a fallback served another model
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
        exchange.setRoutingHeaders(response, tierName, usage.model);
        finish(event, tierName, started);
        co_await respond(client, clientDeadline, response, keepAlive);
        co_return;
    }

    const bool fellBack = event.attempts.size() > 1;
    if (!last.usage && (last.kind == UpstreamOutcome::Kind::Ok || last.kind == UpstreamOutcome::Kind::Streamed)) {
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

    if (last.kind == UpstreamOutcome::Kind::Streamed) {
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
        const bool timeout = last.kind == UpstreamOutcome::Kind::Timeout;
        response = openAiErrorResponse(timeout ? http::status::gateway_timeout : http::status::bad_gateway,
                                       "The upstream for " + usage.model + " failed: " + last.detail, "server_error",
                                       timeout ? "upstream_timeout" : "upstream_error", version);
    }
    exchange.setRoutingHeaders(response, tierName, usage.model);
    if (fellBack)
        response.set("X-RouteLedger-Attempts", std::to_string(event.attempts.size()));
    event.httpStatus = static_cast<int>(response.result_int());
    if (last.kind == UpstreamOutcome::Kind::Ok)
        usage.status = fellBack ? UsageStatus::Fallback : UsageStatus::Ok;
    else {
        usage.status = UsageStatus::Error;
        event.error = last.detail;
    }
    // Queued for the ledger before the answer leaves, so feedback sent the moment it arrives finds the request.
    finish(event, tierName, started);
    co_await respond(client, clientDeadline, response, keepAlive);
}

} // namespace rl

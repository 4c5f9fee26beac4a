#pragma once

#include "asioincludes.h"
#include "chatrequest.h"
#include "circuitbreaker.h"
#include "clientidentifier.h"
#include "ledgerevent.h"
#include "policyholder.h"
#include "pricing/pricing.h"
#include "routerconfig.h"
#include "routermetrics.h"
#include "routing/routingengine.h"
#include "upstreamendpoint.h"
#include "upstreampool.h"
#include "usageledger.h"
#include "watchdog.h"

#include <nlohmann/json_fwd.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace rl {

// POST /v1/chat/completions: decide with the routing core, forward to the chosen upstream with
// fallbacks and circuit breakers, stream or relay the answer, and write the request to the ledger.
class ChatProxy {
public:
    ChatProxy(const RouterConfig &config, const std::vector<UpstreamEndpoint> &endpoints, PolicyHolder &policies,
              const RoutingEngine &engine, const Pricing &pricing, CircuitBreaker &breaker, RouterMetrics &metrics,
              UsageLedger &ledger);

    // Who sent the request, from its headers alone: called before the body is read.
    Result<ClientIdentity> identify(const HttpRequest &request) const;
    // The refusal of a request whose client identify() did not accept (401, connection closed).
    HttpResponse unauthorized(const Error &error, unsigned version);

    // Serves one request from `who` and writes the whole answer to `client`; clears `keepAlive` when the
    // connection cannot carry another request.
    asio::awaitable<void> serve(tcp::socket &client, Deadline &clientDeadline, HttpRequest &request,
                                const ClientIdentity &who, UpstreamPool &pool, bool &keepAlive);
    // GET /v1/models: auto, the tiers and every model the policy and the providers name.
    HttpResponse models(unsigned version) const;

private:
    struct Candidate {
        std::string model; // provider/name
        int tier = -1;
        const UpstreamEndpoint *endpoint = nullptr;
    };
    struct Outcome;
    struct Exchange;

    std::vector<Candidate> candidates(const Decision &decision) const;
    const UpstreamEndpoint *endpointFor(std::string_view model) const;
    std::string nextRequestId();

    asio::awaitable<Outcome> attempt(const Candidate &candidate, Exchange &exchange, UpstreamPool &pool);
    template <typename Stream>
    asio::awaitable<Outcome> exchangeOn(Stream &stream, UpstreamConnection &connection, const Candidate &candidate,
                                        Exchange &exchange);
    asio::awaitable<void> respond(tcp::socket &client, Deadline &clientDeadline, HttpResponse &response,
                                  bool keepAlive);
    void finish(LedgerEvent &event, std::string_view tier, std::chrono::steady_clock::time_point started);

    const RouterConfig &m_config;
    const std::vector<UpstreamEndpoint> &m_endpoints;
    PolicyHolder &m_policies;
    const RoutingEngine &m_engine;
    const Pricing &m_pricing;
    CircuitBreaker &m_breaker;
    RouterMetrics &m_metrics;
    UsageLedger &m_ledger;
    ClientIdentifier m_identifier;
    std::string m_requestIdPrefix;
    std::atomic<std::uint64_t> m_requestCounter{0};
};

} // namespace rl

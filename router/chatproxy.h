#pragma once

#include "asioincludes.h"
#include "circuitbreaker.h"
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

// Who is asking, from the client's API key or (when the config trusts them) the X-RouteLedger-* headers.
struct ClientIdentity {
    std::string team, user, app;
    std::vector<std::string> tags;
    double budgetUsed = 0.0;
};

// POST /v1/chat/completions: decide with the routing core, forward to the chosen upstream with
// fallbacks and circuit breakers, stream or relay the answer, and write the request to the ledger.
class ChatProxy {
public:
    ChatProxy(const RouterConfig &config, const std::vector<UpstreamEndpoint> &endpoints, PolicyHolder &policies,
              const RoutingEngine &engine, const Pricing &pricing, CircuitBreaker &breaker, RouterMetrics &metrics,
              UsageLedger &ledger);

    // Serves one request and writes the whole answer to `client`; clears `keepAlive` when the
    // connection cannot carry another request.
    asio::awaitable<void> serve(tcp::socket &client, Deadline &clientDeadline, HttpRequest &request, UpstreamPool &pool,
                                bool &keepAlive);
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

    Result<ClientIdentity> identify(const HttpRequest &request) const;
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
    std::unordered_map<std::string, const ClientConfig *> m_clientsByDigest;
    std::string m_requestIdPrefix;
    std::atomic<std::uint64_t> m_requestCounter{0};
};

} // namespace rl

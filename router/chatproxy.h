#pragma once

#include "asioincludes.h"
#include "chatexchange.h"
#include "chatrequest.h"
#include "circuitbreaker.h"
#include "clientidentifier.h"
#include "clock.h"
#include "escalationdetector.h"
#include "ledgerevent.h"
#include "policyholder.h"
#include "pricing/pricing.h"
#include "routerconfig.h"
#include "routermetrics.h"
#include "routing/routingengine.h"
#include "upstreamcandidate.h"
#include "upstreamendpoint.h"
#include "upstreamexchange.h"
#include "upstreamoutcome.h"
#include "upstreampool.h"
#include "usageledger.h"
#include "watchdog.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace rl {

// POST /v1/chat/completions for a client already identified (ClientIdentifier): decide with the routing
// core, try the candidates in fallback order behind their circuit breakers (each try an UpstreamExchange),
// answer the client, and write the request to the ledger.
class ChatProxy {
public:
    // `clock` is the wall clock of requests' times and ids (the router's composition root passes it in).
    // `escalations`: where requests are checked for escalations; nullptr when detection is off.
    ChatProxy(const RouterConfig &config, const std::vector<UpstreamEndpoint> &endpoints, PolicyHolder &policies,
              const RoutingEngine &engine, const Pricing &pricing, CircuitBreaker &breaker, RouterMetrics &metrics,
              UsageLedger &ledger, Clock clock, EscalationDetector *escalations = nullptr);

    // Serves one request from `who` and writes the whole answer to `client`; clears `keepAlive` when the
    // connection cannot carry another request.
    asio::awaitable<void> serve(tcp::socket &client, Deadline &clientDeadline, HttpRequest &request,
                                const ClientIdentity &who, UpstreamPool &pool, bool &keepAlive);
    // GET /v1/models: auto, the tiers and every model the policy and the providers name.
    HttpResponse models(unsigned version) const;

private:
    std::vector<UpstreamCandidate> candidates(const Decision &decision) const;
    const UpstreamEndpoint *endpointFor(std::string_view model) const;
    std::string nextRequestId();

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
    const Clock m_clock;
    EscalationDetector *const m_escalations;
    const UpstreamExchange m_upstream;
    std::string m_requestIdPrefix;
    std::atomic<std::uint64_t> m_requestCounter{0};
};

} // namespace rl

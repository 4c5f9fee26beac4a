#pragma once

#include "adminapi.h"
#include "chatproxy.h"
#include "circuitbreaker.h"
#include "clientidentifier.h"
#include "clock.h"
#include "error.h"
#include "escalationdetector.h"
#include "feedbackapi.h"
#include "policyholder.h"
#include "pricing/pricing.h"
#include "routerconfig.h"
#include "routermetrics.h"
#include "routerserver.h"
#include "routing/routingengine.h"
#include "upstreamendpoint.h"
#include "usageledger.h"

#include <memory>
#include <string>
#include <vector>

namespace rl {

// Assembles the router from its config: ledger, policy (the last good one persisted in the ledger, or
// the config's policy file), pricing, breakers, metrics, client identification, proxy, admin API and server,
// every part that reads the wall clock reading the one it is given.
class RouterApp {
public:
    // `clock` is the wall clock every part reads "now" from (requests' times, saved policies): the system's
    // unless a test or a benchmark chooses the time.
    static Result<std::unique_ptr<RouterApp>> create(RouterConfig config, Clock clock = systemClock());
    ~RouterApp();

    // Binds and starts serving; prints "listening on HOST:PORT" to stdout.
    Result<std::uint16_t> start();
    // Drains and stops the server, then flushes the ledger.
    void stop();
    const std::string &policySource() const { return m_policySource; }

private:
    RouterApp() = default;

    RouterConfig m_config;
    Clock m_clock;
    std::vector<UpstreamEndpoint> m_endpoints;
    std::unique_ptr<UsageLedger> m_ledger;
    std::unique_ptr<PolicyHolder> m_policies;
    std::unique_ptr<Pricing> m_pricing;
    std::unique_ptr<RoutingEngine> m_engine;
    std::unique_ptr<CircuitBreaker> m_breaker;
    std::unique_ptr<RouterMetrics> m_metrics;
    std::unique_ptr<ClientIdentifier> m_identifier;
    std::unique_ptr<EscalationDetector> m_escalations; // null when escalation detection is off
    std::unique_ptr<ChatProxy> m_proxy;
    std::unique_ptr<AdminApi> m_admin;
    std::unique_ptr<FeedbackApi> m_feedback;
    std::unique_ptr<RouterServer> m_server;
    std::string m_policySource;
};

} // namespace rl

#pragma once

#include "asioincludes.h"
#include "clock.h"
#include "policyholder.h"
#include "routerconfig.h"
#include "routing/routingengine.h"
#include "usageledger.h"

#include <optional>

namespace rl {

// The admin API behind a bearer token (DESIGN.md §3.4): the live and shadow policies with ETag/If-Match,
// validation, a dry-run decision, and the usage ledger by cursor. Every answer is JSON; every refusal says why.
class AdminApi {
public:
    static constexpr std::size_t kDefaultUsagePage = 1000;
    static constexpr std::size_t kMaxUsagePage = 10000;

    // `clock` dates saved policies and the dry-run decisions (the router's composition root passes it in).
    AdminApi(const RouterConfig &config, PolicyHolder &policies, UsageLedger &ledger, const RoutingEngine &engine,
             Clock clock)
        : m_config(config), m_policies(policies), m_ledger(ledger), m_engine(engine), m_clock(std::move(clock))
    {}

    // The refusal of a request without the right admin token, from its headers alone (before its body
    // is read); nullopt when the token is right.
    std::optional<HttpResponse> authorize(const HttpRequest &request) const;
    // Answers an admin request (refused by authorize() when the token is wrong). Safe to call from
    // several threads at once.
    HttpResponse handle(const HttpRequest &request);

private:
    HttpResponse getPolicy(unsigned version) const;
    HttpResponse putPolicy(const HttpRequest &request);
    // The shadow policy (?shadow): decided on every request beside the live one, recorded, never served.
    HttpResponse getShadowPolicy(unsigned version) const;
    HttpResponse putShadowPolicy(const HttpRequest &request);
    HttpResponse deleteShadowPolicy(const HttpRequest &request);
    HttpResponse validatePolicy(const HttpRequest &request) const;
    HttpResponse route(const HttpRequest &request, bool shadow) const;
    HttpResponse usage(const HttpRequest &request, std::string_view query);

    const RouterConfig &m_config;
    PolicyHolder &m_policies;
    UsageLedger &m_ledger;
    const RoutingEngine &m_engine;
    const Clock m_clock;
};

} // namespace rl

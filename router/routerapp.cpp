#include "routerapp.h"

#include "servablepolicy.h"
#include "textfile.h"

#include <cstdio>

namespace rl {

namespace {

std::string issueLines(const std::vector<PolicyIssue> &issues)
{
    std::string out;
    for (const PolicyIssue &issue : issues)
        out += "\n  " + issue.line();
    return out;
}

} // namespace

Result<std::unique_ptr<RouterApp>> RouterApp::create(RouterConfig config, Clock clock)
{
    std::unique_ptr<RouterApp> app(new RouterApp());
    app->m_config = std::move(config);
    app->m_clock = std::move(clock);
    const RouterConfig &cfg = app->m_config;

    for (const ProviderConfig &provider : cfg.providers) {
        auto endpoint = UpstreamEndpoint::fromConfig(provider);
        if (!endpoint)
            return endpoint.error();
        app->m_endpoints.push_back(std::move(endpoint.value()));
    }

    auto ledger = UsageLedger::open(cfg.ledgerPath, std::chrono::milliseconds(cfg.groupCommitMs));
    if (!ledger)
        return Error{ledger.error().code, "Cannot open the ledger " + cfg.ledgerPath + ": " + ledger.error().message,
                     false};
    app->m_ledger = std::move(ledger.value());

    // The policy: the same rule as PUT /admin/policy, a policy replaces the one served only with a higher
    // version. The ledger holds the highest version pushed through the admin API; policy_file wins only
    // when an admin gave it a higher version than that (docs/ROUTER.md, "Which policy is served").
    auto text = readTextFile(cfg.policyFile, PolicyParser::kMaxDocumentBytes);
    if (!text)
        return Error{"policy.unreadable", "Cannot read policy_file: " + text.error().message, false};
    PolicyLoad fromFile = parseServablePolicy(text.value(), cfg);
    if (!fromFile.ok())
        return Error{"policy.invalid",
                     "The policy " + cfg.policyFile + " cannot be served:" + issueLines(fromFile.errors), false};
    std::shared_ptr<const Policy> policy = fromFile.policy;
    const std::int64_t fileVersion = policy->version;
    app->m_policySource = cfg.policyFile + " (version " + std::to_string(fileVersion) + ")";
    auto stored = app->m_ledger->latestPolicy();
    if (!stored)
        return Error{stored.error().code, "Cannot read the policy history in the ledger: " + stored.error().message,
                     false};
    if (auto last = app->m_ledger->lastSavedPolicy();
        last && last.value() && stored.value() && last.value()->version < stored.value()->version)
        std::fprintf(stderr,
                     "routeledger-router: the ledger's last pushed policy has version %lld, lower than version %lld "
                     "pushed before it (an older router accepted that); versions only go up now, so version %lld "
                     "is served. To serve the other one, push it again with a version above %lld\n",
                     static_cast<long long>(last.value()->version), static_cast<long long>(stored.value()->version),
                     static_cast<long long>(stored.value()->version), static_cast<long long>(stored.value()->version));
    if (stored.value() && stored.value()->version >= fileVersion) {
        const std::int64_t storedVersion = stored.value()->version;
        PolicyLoad fromLedger = parseServablePolicy(stored.value()->document, cfg);
        if (fromLedger.ok()) {
            policy = fromLedger.policy;
            app->m_policySource = "the ledger (version " + std::to_string(storedVersion)
                                  + ", the highest pushed through the admin API; policy_file " + cfg.policyFile
                                  + " holds version " + std::to_string(fileVersion)
                                  + ", which is not newer, so it is not used)";
        } else {
            std::fprintf(stderr,
                         "routeledger-router: the policy saved in the ledger (version %lld) no longer fits this "
                         "config; serving %s (version %lld) instead:%s\n",
                         static_cast<long long>(storedVersion), cfg.policyFile.c_str(),
                         static_cast<long long>(fileVersion), issueLines(fromLedger.errors).c_str());
        }
    } else if (stored.value()) {
        app->m_policySource +=
            ", newer than version " + std::to_string(stored.value()->version) + " last pushed through the admin API";
    }
    // The shadow policy (if one was in force) comes back too: shadow mode survives a restart.
    auto storedShadow = app->m_ledger->currentShadowPolicy();
    if (!storedShadow)
        return Error{storedShadow.error().code,
                     "Cannot read the shadow policy in the ledger: " + storedShadow.error().message, false};
    std::shared_ptr<const Policy> shadow;
    if (storedShadow.value()) {
        PolicyLoad fromLedger = parseServablePolicy(storedShadow.value()->document, cfg);
        if (fromLedger.ok()) {
            shadow = fromLedger.policy;
            std::fprintf(stderr, "routeledger-router: shadow policy \"%s\" version %lld from the ledger\n",
                         shadow->name.c_str(), static_cast<long long>(shadow->version));
        } else {
            std::fprintf(stderr,
                         "routeledger-router: the shadow policy saved in the ledger (version %lld) no longer fits this "
                         "config, so shadow mode is off; PUT /admin/policy?shadow a policy that does:%s\n",
                         static_cast<long long>(storedShadow.value()->version), issueLines(fromLedger.errors).c_str());
        }
    }
    app->m_policies = std::make_unique<PolicyHolder>(policy, shadow);

    std::shared_ptr<const PriceCatalog> catalog = PriceCatalog::builtIn();
    if (!cfg.priceCatalogFile.empty()) {
        CatalogLoad load = PriceCatalog::parseFile(cfg.priceCatalogFile);
        if (!load.catalog)
            return Error{"pricing.invalid", "Cannot load price_catalog " + cfg.priceCatalogFile, false};
        catalog = load.catalog;
    }
    app->m_pricing = std::make_unique<Pricing>(catalog);
    app->m_engine = std::make_unique<RoutingEngine>();
    app->m_breaker =
        std::make_unique<CircuitBreaker>(cfg.breaker.failureThreshold, std::chrono::milliseconds(cfg.breaker.openMs));
    app->m_metrics = std::make_unique<RouterMetrics>();

    UsageLedger *ledgerPtr = app->m_ledger.get();
    PolicyHolder *policies = app->m_policies.get();
    CircuitBreaker *breaker = app->m_breaker.get();
    app->m_metrics->addCollector([ledgerPtr, policies, breaker](std::string &out) {
        auto inForce = policies->state();
        const PolicyHolder::Snapshot &snapshot = inForce->live;
        out += "# HELP routeledger_policy_version Version of the policy in force.\n"
               "# TYPE routeledger_policy_version gauge\nrouteledger_policy_version{name=\""
               + prometheusLabel(snapshot.policy->name) + "\"} " + std::to_string(snapshot.policy->version) + "\n";
        out += "# HELP routeledger_shadow_policy_version Version of the shadow policy (0: no shadow policy).\n"
               "# TYPE routeledger_shadow_policy_version gauge\nrouteledger_shadow_policy_version "
               + std::to_string(inForce->shadow ? inForce->shadow->policy->version : 0) + "\n";
        out += "# HELP routeledger_ledger_pending_events Usage events waiting for the next group commit.\n"
               "# TYPE routeledger_ledger_pending_events gauge\nrouteledger_ledger_pending_events "
               + std::to_string(ledgerPtr->pendingCount()) + "\n";
        out += "# HELP routeledger_ledger_lag_seconds Age of the oldest usage event not yet committed.\n"
               "# TYPE routeledger_ledger_lag_seconds gauge\nrouteledger_ledger_lag_seconds "
               + std::to_string(static_cast<double>(ledgerPtr->lagMs()) / 1000.0) + "\n";
        out += "# HELP routeledger_ledger_committed_events_total Usage events committed to the ledger.\n"
               "# TYPE routeledger_ledger_committed_events_total counter\nrouteledger_ledger_committed_events_total "
               + std::to_string(ledgerPtr->committedCount()) + "\n";
        out += "# HELP routeledger_ledger_dropped_events_total Usage events lost (ledger unwritable for too long).\n"
               "# TYPE routeledger_ledger_dropped_events_total counter\nrouteledger_ledger_dropped_events_total "
               + std::to_string(ledgerPtr->droppedCount()) + "\n";
        out += "# HELP routeledger_ledger_commit_failures_total Group commits that failed and were retried.\n"
               "# TYPE routeledger_ledger_commit_failures_total counter\nrouteledger_ledger_commit_failures_total "
               + std::to_string(ledgerPtr->commitFailures()) + "\n";
        out += "# HELP routeledger_circuit_open Whether an upstream model's breaker is open (1) or half-open (0.5).\n"
               "# TYPE routeledger_circuit_open gauge\n";
        for (const auto &[model, state] : breaker->states()) {
            out += "routeledger_circuit_open{model=\"" + prometheusLabel(model) + "\"} "
                   + (state == CircuitBreaker::State::Open       ? "1"
                      : state == CircuitBreaker::State::HalfOpen ? "0.5"
                                                                 : "0")
                   + "\n";
        }
    });

    app->m_identifier = std::make_unique<ClientIdentifier>(app->m_config);
    if (cfg.escalation.windowS > 0)
        app->m_escalations = std::make_unique<EscalationDetector>(EscalationDetector::Options{
            cfg.escalation.windowS * 1000, static_cast<std::size_t>(cfg.escalation.maxEntries)});
    app->m_proxy = std::make_unique<ChatProxy>(app->m_config, app->m_endpoints, *app->m_policies, *app->m_engine,
                                               *app->m_pricing, *app->m_breaker, *app->m_metrics, *app->m_ledger,
                                               app->m_clock, app->m_escalations.get());
    app->m_admin =
        std::make_unique<AdminApi>(app->m_config, *app->m_policies, *app->m_ledger, *app->m_engine, app->m_clock);
    app->m_feedback = std::make_unique<FeedbackApi>(*app->m_ledger, *app->m_metrics, app->m_clock);
    app->m_server = std::make_unique<RouterServer>(app->m_config, *app->m_identifier, *app->m_proxy, *app->m_admin,
                                                   *app->m_feedback, *app->m_metrics);
    return app;
}

RouterApp::~RouterApp()
{
    stop();
}

Result<std::uint16_t> RouterApp::start()
{
    auto port = m_server->listen();
    if (!port)
        return port;
    m_server->start();
    return port;
}

void RouterApp::stop()
{
    if (m_server)
        m_server->shutdown();
    if (m_ledger)
        m_ledger->stop();
}

} // namespace rl

#pragma once

#include "routing/complexityscorer.h"
#include "routing/decision.h"
#include "routing/routerequest.h"

#include <memory>

namespace rl {

// Decides the tier and model for a request under a policy (DESIGN.md §3.1), and records why.
// Stateless apart from the scorer it reads, so one engine serves any number of threads; the policy is
// passed per call so that a router can swap policies atomically while requests are in flight.
class RoutingEngine {
public:
    explicit RoutingEngine(const ComplexityScorer &scorer = ComplexityScorer::builtIn()) : m_scorer(scorer) {}

    // Allocates nothing beyond the decision's trail (one reserve).
    Decision decide(const std::shared_ptr<const Policy> &policy, const RouteRequest &request) const;

    // The values conditions see; the engine fills them once per request.
    static void utcHourAndWeekday(std::int64_t timeMs, int &hour, int &weekday);

private:
    void estimate(const RouteRequest &request, Decision &decision) const;
    static void applyBudgetGuard(const Policy &policy, const RouteRequest &request, Decision &decision);

    const ComplexityScorer &m_scorer;
};

} // namespace rl

// Latency of one routing decision, measured one decision at a time so that percentiles are real:
// a 20-rule policy on a 2,000-character prompt with the complexity scorer, pinned to one core.
// Also: rules alone (complexity, task and tokens known) as decisions per second, and the allocations
// per decision counted through a replaced global operator new: first for one warmed decision, which must
// make exactly one (the trail's reserve; the exit status is 3 otherwise), then on average over the run.
//
//   bench/decision_latency [--policy FILE] [--prompt FILE] [--decisions N]
#include "routing/policyparser.h"
#include "routing/routingengine.h"
#include "textfile.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include <sched.h>

#include "allocationcounter.h"

namespace {

using Clock = std::chrono::steady_clock;

double percentile(std::vector<double> &sorted, double p)
{
    const std::size_t index =
        std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())));
    return sorted[index];
}

} // namespace

int main(int argc, char **argv)
{
    std::string policyPath = ROUTELEDGER_BENCH_DATA "/twenty-rule-policy.json";
    std::string promptPath = ROUTELEDGER_BENCH_DATA "/prompt-2000.txt";
    long decisions = 200000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--policy"))
            policyPath = argv[i + 1];
        else if (!std::strcmp(argv[i], "--prompt"))
            promptPath = argv[i + 1];
        else if (!std::strcmp(argv[i], "--decisions"))
            decisions = std::atol(argv[i + 1]);
    }

    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    const bool pinned = sched_setaffinity(0, sizeof one, &one) == 0;

    rl::PolicyLoad load = rl::PolicyParser::parseFile(policyPath);
    rl::Result<std::string> prompt = rl::readTextFile(promptPath, 1u << 20);
    if (!load.ok() || !prompt) {
        std::fprintf(stderr, "cannot load the bench policy or prompt\n");
        return 1;
    }
    rl::RouteRequest request;
    request.team = "support";
    request.app = "helpdesk";
    request.tags = {"eu", "tier2"};
    request.prompt = prompt.value();
    request.scoredLength = request.prompt.size();
    request.messageCount = 1;
    request.budgetUsed = 0.95;
    request.timeMs = 1767607200000;
    const rl::RoutingEngine engine;

    // Warm up caches, the branch predictor and the built-in weights.
    for (int i = 0; i < 20000; ++i)
        (void)engine.decide(load.policy, request);

    // The allocation property on its own: one warmed decision on the bench policy (every rule tried, then
    // the budget guard downgrades mid to light) allocates once, for its trail.
    constexpr long kAllocationsPerDecision = 1;
    const long allocationsBefore = allocationcounter::count.load();
    const rl::Decision checked = engine.decide(load.policy, request);
    const long oneDecisionAllocations = allocationcounter::count.load() - allocationsBefore;
    const bool decidedAsExpected =
        checked.trail.size() == load.policy->rules.size() && checked.tierName() == std::string_view("light");

    std::vector<double> nanos(static_cast<std::size_t>(decisions));
    long allocations = 0;
    std::size_t trail = 0;
    for (long i = 0; i < decisions; ++i) {
        const long before = allocationcounter::count.load(std::memory_order_relaxed);
        const auto start = Clock::now();
        const rl::Decision decision = engine.decide(load.policy, request);
        const auto end = Clock::now();
        allocations += allocationcounter::count.load(std::memory_order_relaxed) - before;
        trail += decision.trail.size();
        nanos[static_cast<std::size_t>(i)] = std::chrono::duration<double, std::nano>(end - start).count();
    }
    std::sort(nanos.begin(), nanos.end());

    // Rules alone: the estimates are known, so the scorer is skipped; throughput over a tight loop.
    rl::RouteRequest known = request;
    known.complexity = 0.42;
    known.task = rl::Task::Reasoning;
    known.inputTokens = 480;
    const long rulesDecisions = decisions * 5;
    std::size_t sink = 0;
    const auto rulesStart = Clock::now();
    for (long i = 0; i < rulesDecisions; ++i)
        sink += engine.decide(load.policy, known).trail.size();
    const double rulesSeconds = std::chrono::duration<double>(Clock::now() - rulesStart).count();

    std::printf("decision latency, %zu rules, %zu-char prompt, scorer included (%ld decisions%s)\n",
                load.policy->rules.size(), request.prompt.size(), decisions, pinned ? ", pinned to CPU 0" : "");
    std::printf("  median %.2f us   p90 %.2f us   p99 %.2f us   p99.9 %.2f us   max %.2f us\n",
                percentile(nanos, 0.5) / 1000, percentile(nanos, 0.9) / 1000, percentile(nanos, 0.99) / 1000,
                percentile(nanos, 0.999) / 1000, nanos.back() / 1000);
    std::printf("  rules tried per decision %.1f; heap allocations per decision %.3f (the trail's one reserve)\n",
                static_cast<double>(trail) / static_cast<double>(decisions),
                static_cast<double>(allocations) / static_cast<double>(decisions));
    std::printf("rules alone (estimates known): %.0f decisions/s on one core (%.0f ns each) [%zu]\n",
                static_cast<double>(rulesDecisions) / rulesSeconds,
                rulesSeconds * 1e9 / static_cast<double>(rulesDecisions), sink % 10);
    std::printf("heap allocations in one warmed decision: %ld (expected %ld); trail %zu rules, tier %s\n",
                oneDecisionAllocations, kAllocationsPerDecision, checked.trail.size(),
                std::string(checked.tierName()).c_str());
    if (oneDecisionAllocations != kAllocationsPerDecision || !decidedAsExpected) {
        std::fprintf(stderr,
                     "decision_latency: the warmed decision did not allocate exactly %ld time(s) on the "
                     "bench policy (all rules tried, tier light)\n",
                     kAllocationsPerDecision);
        return 3;
    }
    return 0;
}

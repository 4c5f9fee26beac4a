// Google Benchmark micro-benchmarks of the routing core's parts.
//   bench/bench_routing --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include "routing/complexityscorer.h"
#include "routing/policyparser.h"
#include "routing/routingengine.h"
#include "textfile.h"

#include <benchmark/benchmark.h>

namespace {

std::string benchFile(const char *name)
{
    return rl::readTextFile(std::string(ROUTELEDGER_BENCH_DATA "/") + name, 1u << 20).value();
}

void BM_ScorePrompt2000(benchmark::State &state)
{
    const std::string prompt = benchFile("prompt-2000.txt");
    const rl::ComplexityScorer &scorer = rl::ComplexityScorer::builtIn();
    for (auto _ : state)
        benchmark::DoNotOptimize(scorer.score(prompt));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(prompt.size()));
}
BENCHMARK(BM_ScorePrompt2000);

void BM_TokenEstimate2000(benchmark::State &state)
{
    const std::string prompt = benchFile("prompt-2000.txt");
    for (auto _ : state)
        benchmark::DoNotOptimize(rl::PromptAnalyzer::tokenEstimate(rl::PromptAnalyzer::scan(prompt)));
}
BENCHMARK(BM_TokenEstimate2000);

void BM_Decide20RulesWithScorer(benchmark::State &state)
{
    const rl::PolicyLoad load = rl::PolicyParser::parse(benchFile("twenty-rule-policy.json"));
    rl::RouteRequest request;
    request.team = "support";
    request.prompt = benchFile("prompt-2000.txt");
    request.scoredLength = request.prompt.size();
    request.messageCount = 1;
    const rl::RoutingEngine engine;
    for (auto _ : state)
        benchmark::DoNotOptimize(engine.decide(load.policy, request));
}
BENCHMARK(BM_Decide20RulesWithScorer);

void BM_Decide20RulesOnly(benchmark::State &state)
{
    const rl::PolicyLoad load = rl::PolicyParser::parse(benchFile("twenty-rule-policy.json"));
    rl::RouteRequest request;
    request.team = "support";
    request.prompt = benchFile("prompt-2000.txt");
    request.scoredLength = request.prompt.size();
    request.complexity = 0.42;
    request.task = rl::Task::Reasoning;
    request.inputTokens = 480;
    const rl::RoutingEngine engine;
    for (auto _ : state)
        benchmark::DoNotOptimize(engine.decide(load.policy, request));
}
BENCHMARK(BM_Decide20RulesOnly);

void BM_ParsePolicy20Rules(benchmark::State &state)
{
    const std::string text = benchFile("twenty-rule-policy.json");
    for (auto _ : state)
        benchmark::DoNotOptimize(rl::PolicyParser::parse(text));
}
BENCHMARK(BM_ParsePolicy20Rules);

} // namespace

BENCHMARK_MAIN();

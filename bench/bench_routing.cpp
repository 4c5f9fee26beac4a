// Google Benchmark micro-benchmarks of the routing core's parts, and of the policy studio's validation and diff
// on a 200-rule policy.
//   bench/bench_routing --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include "deploy/policydiff.h"
#include "routing/complexityscorer.h"
#include "routing/policyparser.h"
#include "routing/routingengine.h"
#include "textfile.h"

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

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

// A 200-rule policy of the kinds the studio edits: text, number, weekday and boolean tests, regexes on the
// prompt, nested all/any/not, one in ten rules disabled (the issue 13 figure: validation ≤ 10 ms).
nlohmann::ordered_json twoHundredRulePolicy()
{
    using nlohmann::ordered_json;
    const char *regexes[] = {R"((?i)BEGIN (RSA |EC )?PRIVATE KEY)", R"(\b[A-Z]{2}\d{6}\b)", R"((?i)\bcontract\s+#?\d+)",
                             R"(\b\d{3}-\d{2}-\d{4}\b)", R"((?i)(invoice|receipt) (no\.?|number) \w+)"};
    const char *teams[] = {"legal", "finance", "support", "research", "sales", "ops"};
    const char *days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    ordered_json rules = ordered_json::array();
    for (int i = 0; i < 200; ++i) {
        const std::string team = teams[i % 6];
        ordered_json when;
        switch (i % 10) {
        case 0: when = {{"team", {{"in", {team, "team-" + std::to_string(i)}}}}}; break;
        case 1:
            when = {{"all",
                     {{{"complexity", {{"lt", 0.05 + (i % 9) * 0.1}}}}, {{"input_tokens", {{"lte", 1000 + i * 37}}}}}}};
            break;
        case 2: when = {{"prompt", {{"matches", std::string(regexes[i % 5]) + "|tag" + std::to_string(i)}}}}; break;
        case 3: when = {{"weekday", {{"in", {days[i % 7], days[(i + 3) % 7]}}}}}; break;
        case 4: when = {{"hour_utc", {{"between", {i % 12, 12 + i % 12}}}}}; break;
        case 5:
            when = {{"any", {{{"tag", {{"eq", "pii-" + std::to_string(i)}}}}, {{"app", {{"contains", "contract"}}}}}}};
            break;
        case 6:
            when = {{"not", {{"all", {{{"has_tools", {{"eq", true}}}}, {{"stream", {{"eq", false}}}}}}}}};
            when = {{"all", {when, {{"user", {{"eq", "user-" + std::to_string(i)}}}}}}};
            break;
        case 7: when = {{"requested_model", {{"eq", "gpt-4o-" + std::to_string(i)}}}}; break;
        case 8: when = {{"prompt", {{"contains", "keyword-" + std::to_string(i)}}}}; break;
        default:
            when = {{"all",
                     {{{"task", {{"in", {"code", "math"}}}}},
                      {{"any", {{{"complexity", {{"gte", 0.7}}}}, {{"input_tokens", {{"gt", 6000 + i}}}}}}}}}};
            break;
        }
        ordered_json then = i % 4 == 0   ? ordered_json{{"tier", "frontier"}}
                            : i % 4 == 1 ? ordered_json{{"tier", "light"}}
                            : i % 4 == 2 ? ordered_json{{"model", "openai/gpt-4o"}}
                                         : ordered_json{{"tier", "mid"}};
        ordered_json rule = {{"id", "rule-" + std::to_string(i)}};
        if (i % 10 == 9)
            rule["enabled"] = false;
        rule["when"] = std::move(when);
        rule["then"] = std::move(then);
        rules.push_back(std::move(rule));
    }
    return {{"schema", "routeledger.policy/v1"},
            {"name", "two-hundred"},
            {"version", 1},
            {"tiers",
             {{{"name", "frontier"}, {"models", {"anthropic/claude-opus-4-1", "openai/gpt-5"}}},
              {{"name", "mid"}, {"models", {"anthropic/claude-sonnet-4-5", "openai/gpt-5-mini"}}},
              {{"name", "light"}, {"models", {"openai/gpt-5-nano", "deepseek/deepseek-chat"}}}}},
            {"default_tier", "mid"},
            {"rules", std::move(rules)},
            {"budget_guard",
             {{{"used_at_least", 0.9}, {"then", {{"downgrade", 1}}}},
              {{"used_at_least", 1.0}, {"then", {{"cap_tier", "light"}}}}}},
            {"fallback",
             {{"on", {"timeout", "rate_limited", "server_error"}}, {"max_attempts", 3}, {"across_tiers", "down"}}}};
}

// What the studio runs on every edit of a 200-rule draft: read the JSON text and validate all of it
// (regexes compiled, shadowed rules looked for).
void BM_ValidatePolicy200Rules(benchmark::State &state)
{
    const std::string text = twoHundredRulePolicy().dump(2);
    if (!rl::PolicyParser::parse(text).ok()) {
        state.SkipWithError("the 200-rule policy is invalid");
        return;
    }
    for (auto _ : state)
        benchmark::DoNotOptimize(rl::PolicyParser::parse(text));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ValidatePolicy200Rules)->Unit(benchmark::kMillisecond);

// The version diff between two 200-rule policies: one rule moved, one removed, one added, a threshold and an
// outcome changed, a model added.
void BM_DiffPolicies200Rules(benchmark::State &state)
{
    const nlohmann::ordered_json a = twoHundredRulePolicy();
    nlohmann::ordered_json b = a;
    nlohmann::ordered_json &rules = b["rules"];
    nlohmann::ordered_json moved = rules[150];
    rules.erase(150);
    rules.insert(rules.begin() + 3, std::move(moved));
    rules.erase(77);
    rules.insert(rules.begin() + 120, nlohmann::ordered_json{{"id", "new-rule"},
                                                             {"when", {{"team", {{"eq", "legal"}}}}},
                                                             {"then", {{"tier", "frontier"}}}});
    const auto byId = [&rules](const std::string &id) -> nlohmann::ordered_json & {
        for (nlohmann::ordered_json &rule : rules)
            if (rule["id"] == id)
                return rule;
        return rules[0];
    };
    byId("rule-21")["when"]["all"][0]["complexity"]["lt"] = 0.42;
    byId("rule-40")["then"] = {{"tier", "light"}};
    b["tiers"][2]["models"].push_back("mistral/mistral-small");
    if (rl::PolicyDiff::between(a, b).size() != 6) {
        state.SkipWithError("the diff does not have the six expected changes");
        return;
    }
    for (auto _ : state)
        benchmark::DoNotOptimize(rl::PolicyDiff::between(a, b));
}
BENCHMARK(BM_DiffPolicies200Rules)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();

#pragma once

// Bodies the services behind the usage connectors send, for tests to serve (fixture::script) or read. Each
// builder starts from the reference's own example of its endpoint (tests/sources/schemas/examples/<endpoint>.json)
// and sets only what its arguments name, so a fixture keeps every field the service sends; a test overrides
// any other field it cares about on the result. /team/list, /key/list and /admin/usage have no example in the
// reference: their builders write every field the schema requires.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace fixture {

// tests/sources/schemas/examples/<endpoint>.json ("openai-costs", …); a discarded value when the file is
// missing or not JSON.
nlohmann::json example(const std::string &endpoint);

// --- LiteLLM /spend/logs/v2 and /spend/logs/ui (litellm-spend-logs)

// UTC ms → "2026-11-28T20:10:14.901000Z", the form LiteLLM writes its times in.
std::string litellmTime(std::int64_t ms);
// The example's LiteLLM_SpendLogs row as `requestId`, started at `startTime` (any form LiteLLM writes); its
// end and first token keep their distance from the start (2,778 ms and 488 ms).
nlohmann::json spendLogRow(const std::string &requestId, const std::string &startTime);
// The example's envelope around `rows`: page `page` of `totalPages`, `total` rows in all, `pageSize` a page.
nlohmann::json spendLogsPage(nlohmann::json rows, int page, int totalPages, int total, int pageSize = 2);

// --- LiteLLM /team/daily/activity and /tag/daily/activity (litellm-daily-activity)

// SpendMetrics: `spend` USD over `requests` requests, all successful, without cache reads or writes.
nlohmann::json spendMetrics(double spend, int promptTokens, int completionTokens, int requests);
// A breakdown entry (MetricWithMetadata).
nlohmann::json breakdownEntry(const nlohmann::json &metrics, const nlohmann::json &metadata = nlohmann::json::object(),
                              const nlohmann::json &apiKeyBreakdown = nlohmann::json::object());
// The example's day (its one model, model group and provider) on `date`, with `metrics` throughout: by team
// or tag the given `entities` (name → breakdownEntry), by key `apiKeys` (hash → {metrics, metadata}), which
// every model, model group and provider entry has as its api_key_breakdown too.
nlohmann::json dailyActivityDay(const std::string &date, const nlohmann::json &metrics, nlohmann::json entities,
                                const nlohmann::json &apiKeys = nlohmann::json::object());
// The example's page around `days`: its totals those of `metrics` (the days' sum), page `page` of `totalPages`.
nlohmann::json dailyActivityPage(nlohmann::json days, const nlohmann::json &metrics, int page = 1, int totalPages = 1,
                                 bool more = false);

// --- LiteLLM /team/list and /key/list (no example in the reference)

// A LiteLLM_TeamTable row with the §1.5 team fields: team-search ("Search"), 41.27 spent of a 100 USD budget
// renewed every 30 days.
nlohmann::json litellmTeam();
// A /key/list page holding all of `keys` (full key objects, or hashes).
nlohmann::json litellmKeyList(nlohmann::json keys);

// --- OpenAI /organization/usage/completions and /organization/costs (openai-usage-completions, openai-costs)

// The example's usage result with these totals, grouped by `model` and `project` (null: not grouped); the
// finer counts the spec marks optional (cache writes, text, audio, image…), which would no longer add up, left out.
nlohmann::json openAiUsageResult(const nlohmann::json &model, const nlohmann::json &project, int inputTokens,
                                 int cachedTokens, int outputTokens, int requests);
// The example's cost result: `value` USD (a number, a string, or null) for `lineItem` in `project`.
nlohmann::json openAiCostResult(const nlohmann::json &value, const nlohmann::json &lineItem,
                                const nlohmann::json &project);
// The examples' bucket (usage and costs alike): `widthS` seconds from `startS` (Unix seconds), holding `results`.
nlohmann::json openAiBucket(std::int64_t startS, std::int64_t widthS, nlohmann::json results);
// The examples' page around `buckets`; `nextPage` null: none.
nlohmann::json openAiPage(nlohmann::json buckets, bool more, const char *nextPage);

// --- Anthropic /v1/organizations/usage_report/messages and /cost_report (anthropic-usage-messages, -cost-report)

// The example's usage result with `uncachedInputTokens`.
nlohmann::json anthropicUsageResult(int uncachedInputTokens);
// The example's cost result: `amount` (cents, as a string).
nlohmann::json anthropicCostResult(const nlohmann::json &amount);
// The examples' bucket (usage and cost alike): `widthS` seconds from `startS` (Unix seconds), holding `results`.
nlohmann::json anthropicBucket(std::int64_t startS, std::int64_t widthS, nlohmann::json results);
// The examples' page around `buckets`; `nextPage` null: none.
nlohmann::json anthropicPage(nlohmann::json buckets, bool more, const char *nextPage);

// --- OpenRouter /api/v1/activity (openrouter-activity)

// The example's activity row, on the UTC day of `dayMs`.
nlohmann::json openRouterActivityRow(std::int64_t dayMs);

// --- routeledger-router /admin/usage (no example: every field, as router/usagepagewriter.cpp writes it)

// Event `cursor` ("req-<cursor>", `cursor` ms after 2026-11-28 00:00 UTC): 100 input and 50 output tokens of
// openai/gpt-5-mini for team legal, 125 micro-USD, answered in one attempt.
nlohmann::json routerEvent(int cursor);
// Events `from` … `from + count - 1` (none when `count` is 0); next_cursor the last of them (from - 1 if none).
nlohmann::json routerPage(int from, int count, bool more);

} // namespace fixture

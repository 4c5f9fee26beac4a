#include "servicepages.h"

#include "sources/isotime.h"

#include <QtGlobal>

#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

using nlohmann::json;

namespace fixture {

namespace {

// An example the builders start from: one that is missing is a broken checkout, not a test failure.
const json &documented(const std::string &endpoint)
{
    static std::mutex lock;
    static std::map<std::string, json> loaded;
    const std::lock_guard guard(lock);
    auto it = loaded.find(endpoint);
    if (it == loaded.end()) {
        json body = example(endpoint);
        if (body.is_discarded())
            qFatal("fixture: tests/sources/schemas/examples/%s.json is missing or not JSON", endpoint.c_str());
        it = loaded.emplace(endpoint, std::move(body)).first;
    }
    return it->second;
}

std::int64_t msOf(const json &time)
{
    return rl::IsoTime::parse(time.get<std::string>()).value_or(0);
}

// The example page of `endpoint` around `buckets`: OpenAI's and Anthropic's reports page alike (data, has_more,
// next_page).
json bucketPage(const std::string &endpoint, json buckets, bool more, const char *nextPage)
{
    json page = documented(endpoint);
    page["data"] = std::move(buckets);
    page["has_more"] = more;
    page["next_page"] = nextPage ? json(nextPage) : json();
    return page;
}

} // namespace

json example(const std::string &endpoint)
{
    std::ifstream in(ROUTELEDGER_TEST_DATA "/sources/schemas/examples/" + endpoint + ".json", std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return json::parse(text.str(), nullptr, false);
}

std::string litellmTime(std::int64_t ms)
{
    std::string text = rl::IsoTime::rfc3339(ms - ms % 1000); // "…:14Z"
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%03d000", static_cast<int>(ms % 1000));
    return text.insert(text.size() - 1, fraction);
}

json spendLogRow(const std::string &requestId, const std::string &startTime)
{
    json row = documented("litellm-spend-logs")["data"][0];
    const std::int64_t exampleStart = msOf(row["startTime"]);
    const std::int64_t start = rl::IsoTime::parse(startTime).value_or(0);
    row["request_id"] = requestId;
    row["endTime"] = litellmTime(start + msOf(row["endTime"]) - exampleStart);
    row["completionStartTime"] = litellmTime(start + msOf(row["completionStartTime"]) - exampleStart);
    row["startTime"] = startTime;
    return row;
}

json spendLogsPage(json rows, int page, int totalPages, int total, int pageSize)
{
    json body = documented("litellm-spend-logs");
    body["data"] = std::move(rows);
    body["total"] = total;
    body["page"] = page;
    body["page_size"] = pageSize;
    body["total_pages"] = totalPages;
    return body;
}

json spendMetrics(double spend, int promptTokens, int completionTokens, int requests)
{
    json metrics = documented("litellm-daily-activity")["results"][0]["metrics"];
    metrics["spend"] = spend;
    metrics["prompt_tokens"] = promptTokens;
    metrics["completion_tokens"] = completionTokens;
    metrics["cache_read_input_tokens"] = 0;
    metrics["cache_creation_input_tokens"] = 0;
    metrics["total_tokens"] = promptTokens + completionTokens;
    metrics["successful_requests"] = requests;
    metrics["failed_requests"] = 0;
    metrics["api_requests"] = requests;
    return metrics;
}

json breakdownEntry(const json &metrics, const json &metadata, const json &apiKeyBreakdown)
{
    return {{"metrics", metrics}, {"metadata", metadata}, {"api_key_breakdown", apiKeyBreakdown}};
}

json dailyActivityDay(const std::string &date, const json &metrics, json entities, const json &apiKeys)
{
    json day = documented("litellm-daily-activity")["results"][0];
    day["date"] = date;
    day["metrics"] = metrics;
    json &breakdown = day["breakdown"];
    for (const char *list : {"models", "model_groups", "providers"}) {
        for (json &entry : breakdown[list]) {
            entry["metrics"] = metrics;
            entry["api_key_breakdown"] = apiKeys;
        }
    }
    breakdown["api_keys"] = apiKeys;
    breakdown["entities"] = std::move(entities);
    return day;
}

json dailyActivityPage(json days, const json &metrics, int page, int totalPages, bool more)
{
    json body = documented("litellm-daily-activity");
    body["results"] = std::move(days);
    json &totals = body["metadata"];
    for (const std::string field :
         {"spend", "prompt_tokens", "completion_tokens", "total_tokens", "api_requests", "successful_requests",
          "failed_requests", "cache_read_input_tokens", "cache_creation_input_tokens"})
        totals[field == "total_tokens" ? field : "total_" + field] = metrics[field];
    totals["page"] = page;
    totals["total_pages"] = totalPages;
    totals["has_more"] = more;
    return body;
}

json litellmTeam()
{
    return {{"team_id", "team-search"},
            {"team_alias", "Search"},
            {"organization_id", nullptr},
            {"spend", 41.27},
            {"max_budget", 100.0},
            {"budget_duration", "30d"},
            {"budget_reset_at", "2025-12-01T00:00:00Z"},
            {"tpm_limit", nullptr},
            {"rpm_limit", nullptr},
            {"max_parallel_requests", nullptr},
            {"models", json::array()},
            {"blocked", false},
            {"metadata", {{"soft_budget_alerting_emails", {"finance@example.com"}}}},
            {"members_with_roles", json::array()},
            {"created_at", "2025-10-01T09:00:00Z"},
            {"team_memberships", json::array()},
            {"keys", json::array()}};
}

json litellmKeyList(json keys)
{
    const std::size_t count = keys.size();
    return {{"keys", std::move(keys)}, {"total_count", count}, {"current_page", 1}, {"total_pages", 1}};
}

json openAiUsageResult(const json &model, const json &project, int inputTokens, int cachedTokens, int outputTokens,
                       int requests)
{
    const json &documentedResult = documented("openai-usage-completions")["data"][0]["results"][0];
    json result = json::object();
    for (const auto &[field, value] : documentedResult.items()) {
        const bool finerCount = field.size() > 7 && field.compare(field.size() - 7, 7, "_tokens") == 0
                                && field != "input_tokens" && field != "input_cached_tokens"
                                && field != "output_tokens";
        if (!finerCount)
            result[field] = value;
    }
    result["model"] = model;
    result["project_id"] = project;
    result["input_tokens"] = inputTokens;
    result["input_cached_tokens"] = cachedTokens;
    result["output_tokens"] = outputTokens;
    result["num_model_requests"] = requests;
    return result;
}

json openAiCostResult(const json &value, const json &lineItem, const json &project)
{
    json result = documented("openai-costs")["data"][0]["results"][0];
    result["amount"]["value"] = value;
    result["line_item"] = lineItem;
    result["project_id"] = project;
    return result;
}

json openAiBucket(std::int64_t startS, std::int64_t widthS, json results)
{
    json bucket = documented("openai-costs")["data"][0];
    bucket["start_time"] = startS;
    bucket["end_time"] = startS + widthS;
    bucket["results"] = std::move(results);
    return bucket;
}

json openAiPage(json buckets, bool more, const char *nextPage)
{
    return bucketPage("openai-costs", std::move(buckets), more, nextPage);
}

json anthropicUsageResult(int uncachedInputTokens)
{
    json result = documented("anthropic-usage-messages")["data"][0]["results"][0];
    result["uncached_input_tokens"] = uncachedInputTokens;
    return result;
}

json anthropicCostResult(const json &amount)
{
    json result = documented("anthropic-cost-report")["data"][0]["results"][0];
    result["amount"] = amount;
    return result;
}

json anthropicBucket(std::int64_t startS, std::int64_t widthS, json results)
{
    json bucket = documented("anthropic-usage-messages")["data"][0];
    bucket["starting_at"] = rl::IsoTime::rfc3339(startS * 1000);
    bucket["ending_at"] = rl::IsoTime::rfc3339((startS + widthS) * 1000);
    bucket["results"] = std::move(results);
    return bucket;
}

json anthropicPage(json buckets, bool more, const char *nextPage)
{
    return bucketPage("anthropic-usage-messages", std::move(buckets), more, nextPage);
}

json openRouterActivityRow(std::int64_t dayMs)
{
    json row = documented("openrouter-activity")["data"][0];
    row["date"] = rl::IsoTime::date(dayMs);
    return row;
}

json routerEvent(int cursor)
{
    constexpr std::int64_t kStartMs = 1'795'824'000'000; // 2026-11-28 00:00 UTC
    return {
        {"cursor", std::to_string(cursor)},
        {"request_id", "req-" + std::to_string(cursor)},
        {"time_ms", kStartMs + cursor},
        {"team", "legal"},
        {"user", "ana"},
        {"app", "contracts"},
        {"tags", {"prod"}},
        {"requested_model", "auto"},
        {"model", "openai/gpt-5-mini"},
        {"provider", "openai"},
        {"tier", "mid"},
        {"tier_rank", 1},
        {"rule", "default"},
        {"policy_version", 3},
        {"input_tokens", 100},
        {"cached_input_tokens", 0},
        {"cache_write_tokens", 0},
        {"output_tokens", 50},
        {"reasoning_tokens", 0},
        {"cost_micro_usd", 125},
        {"frontier_cost_micro_usd", 900},
        {"unpriced", false},
        {"unmetered", false},
        {"latency_ms", 420},
        {"first_byte_ms", 300},
        {"status", "ok"},
        {"http_status", 200},
        {"stream", false},
        {"complexity", 0.4},
        {"task", "chat"},
        {"attempts", {{{"model", "openai/gpt-5-mini"}, {"outcome", "ok"}, {"http_status", 200}, {"latency_ms", 410}}}},
        {"error", ""}};
}

json routerPage(int from, int count, bool more)
{
    json events = json::array();
    for (int i = 0; i < count; ++i)
        events.push_back(routerEvent(from + i));
    return {{"events", std::move(events)}, {"next_cursor", std::to_string(from + count - 1)}, {"has_more", more}};
}

} // namespace fixture

#include "sources/openaiusageconnector.h"

#include <nlohmann/json.hpp>

#include <charconv>

namespace rl {

using nlohmann::json;

namespace {

std::int64_t tokens(const json &result, const char *key)
{
    auto it = result.find(key);
    return it != result.end() && it->is_number_integer() ? std::max<std::int64_t>(0, it->get<std::int64_t>()) : 0;
}

std::string text(const json &result, const char *key)
{
    auto it = result.find(key);
    return it != result.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

OpenAiUsageConnector::OpenAiUsageConnector(HttpClient &http, const Pricing &pricing, std::string sourceName,
                                           std::string baseUrl, std::string adminKey, Options options)
    : m_http(http), m_pricing(pricing), m_sourceName(std::move(sourceName)), m_baseUrl(std::move(baseUrl)),
      m_adminKey(std::move(adminKey)), m_options(std::move(options))
{
    while (!m_baseUrl.empty() && m_baseUrl.back() == '/')
        m_baseUrl.pop_back();
    if (!m_options.nowMs)
        m_options.nowMs = [] {
            return std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                .count();
        };
}

Result<std::vector<UsageBucket>> OpenAiUsageConnector::readPage(std::string_view body, const Pricing &pricing,
                                                                const std::string &sourceName, bool &hasMore,
                                                                std::string &nextPage, std::int64_t &latestEndMs)
{
    auto malformed = [&](const std::string &what) {
        return Error{"source.malformed",
                     "OpenAI usage for " + sourceName + " came back in a form that cannot be read: " + what
                         + ". Nothing from it was stored.",
                     true};
    };
    json page = json::parse(body.begin(), body.end(), nullptr, false);
    if (page.is_discarded() || !page.is_object())
        return malformed("it is not a JSON object");
    auto data = page.find("data");
    if (data == page.end() || !data->is_array())
        return malformed("'data' is missing or not a list");
    auto more = page.find("has_more");
    if (more == page.end() || !more->is_boolean())
        return malformed("'has_more' is missing or not true/false");
    hasMore = more->get<bool>();
    nextPage = text(page, "next_page");
    if (hasMore && nextPage.empty())
        return malformed("'has_more' is true but 'next_page' is missing");
    std::vector<UsageBucket> buckets;
    for (std::size_t i = 0; i < data->size(); ++i) {
        const json &bucket = (*data)[i];
        auto start = bucket.find("start_time");
        auto end = bucket.find("end_time");
        auto results = bucket.find("results");
        if (!bucket.is_object() || start == bucket.end() || !start->is_number_integer() || end == bucket.end()
            || !end->is_number_integer() || results == bucket.end() || !results->is_array())
            return malformed("bucket " + std::to_string(i) + " lacks start_time, end_time or results");
        const std::int64_t startMs = start->get<std::int64_t>() * 1000, endMs = end->get<std::int64_t>() * 1000;
        if (endMs <= startMs)
            return malformed("bucket " + std::to_string(i) + " ends before it starts");
        latestEndMs = std::max(latestEndMs, endMs);
        for (const json &result : *results) {
            if (!result.is_object() || !result.contains("input_tokens") || !result.contains("output_tokens"))
                return malformed("bucket " + std::to_string(i) + " has a result without input_tokens/output_tokens");
            UsageBucket b;
            b.startMs = startMs;
            b.endMs = endMs;
            const std::string model = text(result, "model");
            b.model = model.empty() ? std::string() : "openai/" + model;
            b.provider = "openai";
            b.project = text(result, "project_id");
            b.apiKey = text(result, "api_key_id");
            b.requests = tokens(result, "num_model_requests");
            // input_tokens includes cached reads and cache writes: move them out (RouteLedger's form).
            const std::int64_t input = tokens(result, "input_tokens");
            b.tokens.cachedInput = std::min(input, tokens(result, "input_cached_tokens"));
            b.tokens.cacheWrite = std::min(input - b.tokens.cachedInput, tokens(result, "input_cache_write_tokens"));
            b.tokens.input = input - b.tokens.cachedInput - b.tokens.cacheWrite;
            b.tokens.output = tokens(result, "output_tokens");
            const Cost cost = b.model.empty() ? Cost{0, true} : pricing.cost(b.model, b.tokens, startMs);
            b.costMicro = cost.microUsd;
            b.unpriced = cost.unpriced;
            buckets.push_back(std::move(b));
        }
    }
    return buckets;
}

Result<SourcePage> OpenAiUsageConnector::fetch(const std::optional<std::string> &cursor)
{
    const std::int64_t now = m_options.nowMs();
    std::int64_t startSeconds = (m_options.firstMs != 0 ? m_options.firstMs : now - 7LL * 86'400'000) / 1000;
    std::string pageToken;
    if (cursor) {
        auto bar = cursor->find('|');
        auto [end, ec] =
            std::from_chars(cursor->data(), cursor->data() + (bar == std::string::npos ? 0 : bar), startSeconds);
        if (bar == std::string::npos || ec != std::errc() || end != cursor->data() + bar)
            return Error{"source.bad_cursor",
                         "The stored cursor of " + m_sourceName
                             + " is not an OpenAI usage cursor; reset the source to read it again",
                         false};
        pageToken = cursor->substr(bar + 1);
    }
    startSeconds -= startSeconds % 3600; // whole hourly buckets
    std::string url = m_baseUrl + "/organization/usage/completions?start_time=" + std::to_string(startSeconds)
                      + "&bucket_width=1h&group_by[]=project_id&group_by[]=model&group_by[]=api_key_id&limit="
                      + std::to_string(m_options.limit);
    if (!pageToken.empty())
        url += "&page=" + pageToken;
    auto answer = m_http.send({"GET", url, {{"Authorization", "Bearer " + m_adminKey}}, {}});
    if (!answer)
        return answer.error();
    bool hasMore = false;
    std::string nextPage;
    std::int64_t latestEndMs = startSeconds * 1000;
    auto buckets = readPage(answer->body, m_pricing, m_sourceName, hasMore, nextPage, latestEndMs);
    if (!buckets)
        return buckets.error();
    SourcePage out;
    out.batch.source = m_sourceName;
    out.batch.sourceKind = "openai";
    out.batch.buckets = std::move(buckets.value());
    out.hasMore = hasMore;
    if (hasMore) {
        out.batch.cursor = std::to_string(startSeconds) + "|" + nextPage;
    } else {
        // Caught up: start the next poll far enough back to pick up OpenAI's revisions of recent buckets.
        const std::int64_t reread = std::min(latestEndMs, now) - m_options.rereadWindow.count();
        out.batch.cursor = std::to_string(std::max(startSeconds * 1000, reread) / 1000) + "|";
    }
    return out;
}

} // namespace rl

#include "sources/openaiusageconnector.h"
#include "boundedjson.h"

#include "sources/isotime.h"

#include "sources/bucketcursor.h"

#include "sources/jsonfields.h"

#include <nlohmann/json.hpp>

#include <charconv>

namespace rl {

using nlohmann::json;

namespace {

constexpr std::int64_t kHourS = 3600;

constexpr auto tokens = &JsonFields::count;
constexpr auto text = &JsonFields::text;

} // namespace

OpenAiUsageConnector::OpenAiUsageConnector(HttpClient &http, const Pricing &pricing, std::string sourceName,
                                           std::string baseUrl, std::string adminKey, Options options)
    : m_http(http), m_pricing(pricing), m_sourceName(std::move(sourceName)), m_baseUrl(std::move(baseUrl)),
      m_adminKey(std::move(adminKey)), m_options(std::move(options))
{
    while (!m_baseUrl.empty() && m_baseUrl.back() == '/')
        m_baseUrl.pop_back();
    if (!m_options.nowMs)
        m_options.nowMs = &IsoTime::nowMs;
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
    if (auto shape = checkJsonShape(body, kSourcePageLimits); !shape)
        return malformed("it has " + shape.error().message);
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
    if (hasMore && data->empty())
        return malformed("'data' holds no buckets but 'has_more' says there are more");
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
            // Batch and flex tokens are cheaper than standard, priority dearer (gateway-apis.md §9).
            PriceTerms terms;
            if (auto batch = result.find("batch"); batch != result.end() && batch->is_boolean() && batch->get<bool>())
                terms.tier = ServiceTier::Batch;
            else
                terms.tier = PriceTerms::tierNamed(text(result, "service_tier"));
            b.priceTerms = terms.key();
            const Cost cost = b.model.empty() ? Cost{0, true} : pricing.cost(b.model, b.tokens, startMs, terms);
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
    auto resumed =
        BucketCursor::resume(cursor, (m_options.firstMs != 0 ? m_options.firstMs : now - 7LL * 86'400'000) / 1000,
                             kHourS, m_sourceName, "OpenAI usage");
    if (!resumed)
        return resumed.error();
    const BucketCursor at = resumed.value();
    const std::string url =
        m_baseUrl + "/organization/usage/completions?start_time=" + std::to_string(at.startSeconds)
        + "&bucket_width=1h&group_by[]=project_id&group_by[]=model&group_by[]=api_key_id&group_by[]=batch"
          "&group_by[]=service_tier&limit="
        + std::to_string(m_options.limit) + at.pageQuery();
    auto answer = m_http.send({"GET", url, {{"Authorization", "Bearer " + m_adminKey}}, {}});
    if (!answer)
        return answer.error();
    bool hasMore = false;
    std::string nextPage;
    std::int64_t latestEndMs = at.startSeconds * 1000;
    auto buckets = readPage(answer->body, m_pricing, m_sourceName, hasMore, nextPage, latestEndMs);
    if (!buckets)
        return buckets.error();
    if (hasMore && !at.page.empty() && nextPage == at.page) // the same page again: it would loop
        return Error{"source.malformed",
                     "OpenAI usage for " + m_sourceName
                         + " came back in a form that cannot be read: 'next_page' repeats the page asked for. "
                           "Nothing from it was stored.",
                     true};
    SourcePage out;
    out.batch.source = m_sourceName;
    out.batch.sourceKind = "openai";
    out.batch.buckets = std::move(buckets.value());
    out.hasMore = hasMore;
    // Once caught up, the next poll starts far enough back to pick up OpenAI's revisions of recent buckets.
    out.batch.cursor = BucketCursor::after(at.startSeconds, hasMore, nextPage, latestEndMs, now,
                                           m_options.rereadWindow.count(), kHourS)
                           .text();
    return out;
}

} // namespace rl

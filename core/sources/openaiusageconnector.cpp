#include "sources/openaiusageconnector.h"

#include "sources/bucketreportpage.h"
#include "sources/jsonfields.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace rl {

using nlohmann::json;

namespace {

const BucketReportConnector::Report kReport{
    "OpenAI usage", "the OpenAI API", "openai", "/organization/usage/completions", 3600, 7};

constexpr auto tokens = &JsonFields::count;
constexpr auto text = &JsonFields::text;

} // namespace

OpenAiUsageConnector::OpenAiUsageConnector(HttpClient &http, const Pricing &pricing, std::string sourceName,
                                           std::string baseUrl, std::string adminKey, Options options)
    : BucketReportConnector(http, kReport, std::move(sourceName), std::move(baseUrl),
                            {{"Authorization", "Bearer " + adminKey}}, std::move(options)),
      m_pricing(pricing)
{}

Result<std::vector<UsageBucket>> OpenAiUsageConnector::readPage(std::string_view body, const Pricing &pricing,
                                                                const std::string &sourceName, bool &hasMore,
                                                                std::string &nextPage, std::int64_t &latestEndMs)
{
    const MalformedPage malformed = kReport.malformed(sourceName);
    auto page = BucketReportPage::read(body, BucketReportPage::Times::UnixSeconds, malformed);
    if (!page)
        return page.error();
    page->copyPaging(hasMore, nextPage, latestEndMs);
    std::vector<UsageBucket> buckets;
    for (const BucketReportPage::Row &row : page->rows) {
        const json &result = page->result(row);
        if (!result.contains("input_tokens") || !result.contains("output_tokens"))
            return malformed.error(BucketReportPage::where(row) + ": 'input_tokens' or 'output_tokens' is missing");
        UsageBucket b;
        b.startMs = row.startMs;
        b.endMs = row.endMs;
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
        const Cost cost = b.model.empty() ? Cost{0, true} : pricing.cost(b.model, b.tokens, b.startMs, terms);
        b.costMicro = cost.microUsd;
        b.unpriced = cost.unpriced;
        buckets.push_back(std::move(b));
    }
    return buckets;
}

std::string OpenAiUsageConnector::query(std::int64_t startSeconds) const
{
    return "start_time=" + std::to_string(startSeconds)
           + "&bucket_width=1h&group_by[]=project_id&group_by[]=model&group_by[]=api_key_id&group_by[]=batch"
             "&group_by[]=service_tier";
}

Result<void> OpenAiUsageConnector::read(std::string_view body, IngestBatch &batch, Paging &paging) const
{
    return keep(readPage(body, m_pricing, sourceName(), paging.hasMore, paging.nextPage, paging.latestEndMs),
                batch.buckets);
}

} // namespace rl

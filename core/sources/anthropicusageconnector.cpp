#include "sources/anthropicusageconnector.h"

#include "sources/bucketreportpage.h"
#include "sources/isotime.h"
#include "sources/jsonfields.h"

#include <algorithm>

namespace rl {

using nlohmann::json;

namespace {

const BucketReportConnector::Report kReport{
    "Anthropic usage", "the Anthropic API", "anthropic", "/v1/organizations/usage_report/messages", 3600, 7};

} // namespace

BucketReportConnector::Headers AnthropicUsageConnector::adminHeaders(const std::string &adminKey)
{
    return {{"x-api-key", adminKey}, {"anthropic-version", "2023-06-01"}, {"Accept", "application/json"}};
}

AnthropicUsageConnector::AnthropicUsageConnector(HttpClient &http, const Pricing &pricing, std::string sourceName,
                                                 std::string baseUrl, std::string adminKey, Options options)
    : BucketReportConnector(http, kReport, std::move(sourceName), std::move(baseUrl), adminHeaders(adminKey),
                            std::move(options)),
      m_pricing(pricing)
{}

Result<std::vector<UsageBucket>> AnthropicUsageConnector::readPage(std::string_view body, const Pricing &pricing,
                                                                   const std::string &sourceName, bool &hasMore,
                                                                   std::string &nextPage, std::int64_t &latestEndMs)
{
    const MalformedPage malformed = kReport.malformed(sourceName);
    auto page = BucketReportPage::read(body, BucketReportPage::Times::Rfc3339, malformed);
    if (!page)
        return page.error();
    page->copyPaging(hasMore, nextPage, latestEndMs);
    std::vector<UsageBucket> buckets;
    for (const BucketReportPage::Row &row : page->rows) {
        const json &result = page->result(row);
        const std::string at = BucketReportPage::where(row);
        if (!JsonFields::has(result, "uncached_input_tokens") || !JsonFields::has(result, "output_tokens"))
            return malformed.error(at + ": 'uncached_input_tokens' or 'output_tokens' is missing");
        UsageBucket b;
        b.startMs = row.startMs;
        b.endMs = row.endMs;
        const std::string model = JsonFields::text(result, "model");
        b.model = model.empty() ? std::string() : "anthropic/" + model;
        b.provider = "anthropic";
        b.project = JsonFields::has(result, "workspace_id") ? JsonFields::text(result, "workspace_id")
                                                            : std::string(kDefaultWorkspace);
        b.apiKey = JsonFields::text(result, "api_key_id");
        b.requests = 0; // the report has no request count
        b.tokens.input = JsonFields::count(result, "uncached_input_tokens");
        b.tokens.cachedInput = JsonFields::count(result, "cache_read_input_tokens");
        // What changes the price (gateway-apis.md §9): the tier, the context window, 1-hour cache writes
        // and web searches, billed per search.
        PriceTerms terms;
        if (auto creation = result.find("cache_creation"); creation != result.end() && creation->is_object()) {
            terms.cacheWrite1h = JsonFields::count(*creation, "ephemeral_1h_input_tokens");
            b.tokens.cacheWrite = JsonFields::count(*creation, "ephemeral_5m_input_tokens") + terms.cacheWrite1h;
        }
        b.tokens.output = JsonFields::count(result, "output_tokens");
        terms.tier = PriceTerms::tierNamed(JsonFields::text(result, "service_tier"));
        terms.longContext = JsonFields::text(result, "context_window") == "200k-1M";
        if (auto tools = result.find("server_tool_use"); tools != result.end() && tools->is_object())
            terms.webSearches = JsonFields::count(*tools, "web_search_requests");
        b.priceTerms = terms.key();
        const Cost cost = b.model.empty() ? Cost{0, true} : pricing.cost(b.model, b.tokens, b.startMs, terms);
        b.costMicro = cost.microUsd;
        b.unpriced = cost.unpriced;
        buckets.push_back(std::move(b));
    }
    return buckets;
}

std::string AnthropicUsageConnector::query(std::int64_t startSeconds) const
{
    return "starting_at=" + IsoTime::rfc3339(startSeconds * 1000)
           + "&bucket_width=1h&group_by[]=model&group_by[]=workspace_id&group_by[]=api_key_id&group_by[]=service_tier"
             "&group_by[]=context_window";
}

Result<void> AnthropicUsageConnector::read(std::string_view body, IngestBatch &batch, Paging &paging) const
{
    return keep(readPage(body, m_pricing, sourceName(), paging.hasMore, paging.nextPage, paging.latestEndMs),
                batch.buckets);
}

} // namespace rl

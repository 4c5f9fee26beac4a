#include "sources/anthropicusageconnector.h"

#include "sources/anthropicreportpage.h"
#include "sources/bucketcursor.h"
#include "sources/isotime.h"
#include "sources/jsonfields.h"

namespace rl {

using nlohmann::json;

namespace {

constexpr std::int64_t kHourS = 3600;
const std::string kReport = "Anthropic usage";

} // namespace

AnthropicUsageConnector::AnthropicUsageConnector(HttpClient &http, const Pricing &pricing, std::string sourceName,
                                                 std::string baseUrl, std::string adminKey, Options options)
    : m_http(http), m_pricing(pricing), m_sourceName(std::move(sourceName)), m_baseUrl(std::move(baseUrl)),
      m_adminKey(std::move(adminKey)), m_options(std::move(options))
{
    while (!m_baseUrl.empty() && m_baseUrl.back() == '/')
        m_baseUrl.pop_back();
    if (!m_options.nowMs)
        m_options.nowMs = &IsoTime::nowMs;
}

Result<std::vector<UsageBucket>> AnthropicUsageConnector::readPage(std::string_view body, const Pricing &pricing,
                                                                   const std::string &sourceName, bool &hasMore,
                                                                   std::string &nextPage, std::int64_t &latestEndMs)
{
    auto page = AnthropicReportPage::read(body, kReport, sourceName);
    if (!page)
        return page.error();
    hasMore = page->hasMore;
    nextPage = page->nextPage;
    latestEndMs = std::max(latestEndMs, page->latestEndMs);
    std::vector<UsageBucket> buckets;
    for (const auto &bucket : page->buckets) {
        const json &results = page->results(bucket);
        for (std::size_t r = 0; r < results.size(); ++r) {
            const json &result = results[r];
            const std::string at = "bucket " + std::to_string(bucket.index) + ", result " + std::to_string(r);
            if (!JsonFields::has(result, "uncached_input_tokens") || !JsonFields::has(result, "output_tokens"))
                return AnthropicReportPage::malformed(kReport, sourceName,
                                                      at + ": 'uncached_input_tokens' or 'output_tokens' is missing");
            UsageBucket b;
            b.startMs = bucket.startMs;
            b.endMs = bucket.endMs;
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
    }
    return buckets;
}

Result<SourcePage> AnthropicUsageConnector::fetch(const std::optional<std::string> &cursor)
{
    const std::int64_t now = m_options.nowMs();
    auto resumed =
        BucketCursor::resume(cursor, (m_options.firstMs != 0 ? m_options.firstMs : now - 7LL * 86'400'000) / 1000,
                             kHourS, m_sourceName, "Anthropic usage");
    if (!resumed)
        return resumed.error();
    BucketCursor at = resumed.value();
    std::string url =
        m_baseUrl + "/v1/organizations/usage_report/messages?starting_at=" + IsoTime::rfc3339(at.startSeconds * 1000)
        + "&bucket_width=1h&group_by[]=model&group_by[]=workspace_id&group_by[]=api_key_id&group_by[]=service_tier"
          "&group_by[]=context_window&limit="
        + std::to_string(m_options.limit);
    url += at.pageQuery();
    auto answer = m_http.send({"GET", url, AnthropicReportPage::headers(m_adminKey), {}});
    if (!answer)
        return answer.error();
    bool hasMore = false;
    std::string nextPage;
    std::int64_t latestEndMs = at.startSeconds * 1000;
    auto buckets = readPage(answer->body, m_pricing, m_sourceName, hasMore, nextPage, latestEndMs);
    if (!buckets)
        return buckets.error();
    if (hasMore && !at.page.empty() && nextPage == at.page)
        return AnthropicReportPage::malformed(kReport, m_sourceName, "'next_page' repeats the page asked for");
    SourcePage out;
    out.batch.source = m_sourceName;
    out.batch.sourceKind = "anthropic";
    out.batch.buckets = std::move(buckets.value());
    out.hasMore = hasMore;
    out.batch.cursor = BucketCursor::after(at.startSeconds, hasMore, nextPage, latestEndMs, now,
                                           m_options.rereadWindow.count(), kHourS)
                           .text();
    return out;
}

} // namespace rl

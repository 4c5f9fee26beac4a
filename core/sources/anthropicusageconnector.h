#pragma once

#include "pricing/pricing.h"
#include "sources/bucketreportconnector.h"

#include <string>
#include <string_view>
#include <vector>

namespace rl {

// Polls Anthropic's usage report (gateway-apis.md §3.1: GET {base}/v1/organizations/usage_report/messages,
// base e.g. https://api.anthropic.com) into store buckets: hourly buckets grouped by model, workspace, API
// key, service tier and context window, page by page (`next_page`), with the headers x-api-key and anthropic-version:
// 2023-06-01.
//  - tokens: input = uncached_input_tokens, cachedInput = cache_read_input_tokens, cacheWrite = the sum of
//    cache_creation.ephemeral_5m_input_tokens and ephemeral_1h_input_tokens, output = output_tokens (none
//    of them overlap: uncached_input_tokens excludes the cache);
//  - model "anthropic/<model>"; cost from the price catalog (the report has none), at the rates of the
//    row's service_tier and context_window ("200k-1M": the above-200k rates), 1-hour cache writes at their
//    own rate, plus server_tool_use.web_search_requests at the catalog's per-search price;
//  - project = workspace_id; the default workspace, which the report gives as null, is kDefaultWorkspace;
//  - apiKey = api_key_id (empty for Console/Workbench usage, which the report gives as null);
//  - requests = 0: the report has no request count.
// Once caught up, the next poll starts `rereadWindow` back (recent buckets are revised; the store upserts
// them). The cursor is "<starting_at seconds>|<page token>" (BucketCursor). sourceKind "anthropic".
class AnthropicUsageConnector : public BucketReportConnector {
public:
    static constexpr const char *kDefaultWorkspace = "default";
    // The headers every Admin API call carries (the cost report's too).
    static Headers adminHeaders(const std::string &adminKey);

    using Options = HourlyReportOptions; // firstMs 0: a new source starts 7 days ago

    AnthropicUsageConnector(HttpClient &http, const Pricing &pricing, std::string sourceName, std::string baseUrl,
                            std::string adminKey, Options options);

    // One page into buckets; `hasMore`, `nextPage` and the latest bucket end come back through the outs.
    static Result<std::vector<UsageBucket>> readPage(std::string_view body, const Pricing &pricing,
                                                     const std::string &sourceName, bool &hasMore,
                                                     std::string &nextPage, std::int64_t &latestEndMs);

private:
    std::string query(std::int64_t startSeconds) const override;
    Result<void> read(std::string_view body, IngestBatch &batch, Paging &paging) const override;

    const Pricing &m_pricing;
};

} // namespace rl

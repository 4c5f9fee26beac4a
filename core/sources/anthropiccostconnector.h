#pragma once

#include "sources/bucketreportconnector.h"

#include <string>
#include <string_view>
#include <vector>

namespace rl {

// Polls Anthropic's cost report (gateway-apis.md §3.2: GET {base}/v1/organizations/cost_report) into cost
// lines: daily buckets (the only width) grouped by workspace and description, page by page, with the
// headers x-api-key and anthropic-version: 2023-06-01. `amount` is a decimal string in CENTS
// ("123.78912" = $1.2378912) and becomes micro-USD exactly, rounded half away from zero (1,237,891).
// project = workspace_id (null: the default workspace, AnthropicUsageConnector::kDefaultWorkspace);
// lineItem = description (without one: "<cost_type>" or "<cost_type>: <token_type>"); model
// "anthropic/<model>" when the row names one. Lines with the same window and dimensions in one page are
// summed. Priority Tier costs never appear in this report (the provider's own caveat). Once caught up, the
// next poll starts `rereadWindow` back. The cursor is "<starting_at seconds>|<page token>".
class AnthropicCostConnector : public BucketReportConnector {
public:
    using Options = DailyReportOptions; // firstMs 0: a new source starts 30 days ago

    AnthropicCostConnector(HttpClient &http, std::string sourceName, std::string baseUrl, std::string adminKey,
                           Options options);

    static Result<std::vector<CostLine>> readPage(std::string_view body, const std::string &sourceName, bool &hasMore,
                                                  std::string &nextPage, std::int64_t &latestEndMs);

private:
    std::string query(std::int64_t startSeconds) const override;
    Result<void> read(std::string_view body, IngestBatch &batch, Paging &paging) const override;
};

} // namespace rl

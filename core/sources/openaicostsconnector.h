#pragma once

#include "sources/bucketreportconnector.h"

#include <string>
#include <string_view>
#include <vector>

namespace rl {

// Polls OpenAI's Costs API (gateway-apis.md §2.2) into cost lines: GET {base}/organization/costs with
// daily buckets (the only width it has) grouped by project and line item, page by page (`next_page`),
// with the admin key as a bearer token. `amount.value` is USD, a number or (some clients see it) a
// string; it becomes micro-USD exactly. A result without an amount, or with a null value, is kept as a
// line with no cost reported (only `object` is required by the spec). A line item that reads "<model>, <kind>"
// ("gpt-4o-2024-08-06, input") names the model "openai/<model>"; the spec's own line items are plain ("input_tokens")
// and name none, so nothing depends on it. Once caught up, the next poll starts `rereadWindow` back, because costs lag
// usage and recent days are revised; the store upserts the lines. The cursor is
// "<start_time seconds>|<page token>" (BucketCursor).
class OpenAiCostsConnector : public BucketReportConnector {
public:
    using Options = DailyReportOptions; // firstMs 0: a new source starts 30 days ago

    OpenAiCostsConnector(HttpClient &http, std::string sourceName, std::string baseUrl, std::string adminKey,
                         Options options);

    // One page into cost lines; `hasMore`, `nextPage` and the latest bucket end come back through the outs.
    static Result<std::vector<CostLine>> readPage(std::string_view body, const std::string &sourceName, bool &hasMore,
                                                  std::string &nextPage, std::int64_t &latestEndMs);
    // "gpt-4o-2024-08-06, input" → "openai/gpt-4o-2024-08-06"; empty when the line item names no model.
    static std::string modelOfLineItem(std::string_view lineItem);

private:
    std::string query(std::int64_t startSeconds) const override;
    Result<void> read(std::string_view body, IngestBatch &batch, Paging &paging) const override;
};

} // namespace rl

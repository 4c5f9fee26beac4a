#pragma once

#include "pricing/pricing.h"
#include "sources/bucketreportconnector.h"

#include <string>
#include <string_view>
#include <vector>

namespace rl {

// Polls OpenAI's Usage API for completions (gateway-apis.md §2.1) into store buckets: hourly buckets
// grouped by project, model, API key, batch and service tier, page by page (`next_page`); batch, flex and
// priority rows are priced at their own rates and kept apart by UsageBucket::priceTerms. Once caught up, the next poll
// starts `rereadWindow` back, because OpenAI revises recent buckets; the store upserts them. The cursor
// is "<start_time seconds>|<page token>". Costs come from the price catalog (the Usage API has none).
class OpenAiUsageConnector : public BucketReportConnector {
public:
    using Options = HourlyReportOptions; // firstMs 0: a new source starts 7 days ago

    OpenAiUsageConnector(HttpClient &http, const Pricing &pricing, std::string sourceName, std::string baseUrl,
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

#pragma once

#include "net/httpclient.h"
#include "pricing/pricing.h"
#include "sources/usageconnector.h"

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace rl {

// Polls OpenAI's Usage API for completions (gateway-apis.md §2.1) into store buckets: hourly buckets
// grouped by project, model, API key, batch and service tier, page by page (`next_page`); batch, flex and
// priority rows are priced at their own rates and kept apart by UsageBucket::priceTerms. Once caught up, the next poll
// starts `rereadWindow` back, because OpenAI revises recent buckets; the store upserts them. The cursor
// is "<start_time seconds>|<page token>". Costs come from the price catalog (the Usage API has none).
class OpenAiUsageConnector : public UsageConnector {
public:
    struct Options {
        std::int64_t firstMs = 0;                            // where a new source starts; 0: 7 days ago
        std::chrono::milliseconds rereadWindow{172'800'000}; // 48 h
        int limit = 24;                                      // hourly buckets per page (max 168)
        std::function<std::int64_t()> nowMs;
    };

    OpenAiUsageConnector(HttpClient &http, const Pricing &pricing, std::string sourceName, std::string baseUrl,
                         std::string adminKey, Options options);

    std::string sourceName() const override { return m_sourceName; }
    Result<SourcePage> fetch(const std::optional<std::string> &cursor) override;

    // One page into buckets; `hasMore`, `nextPage` and the latest bucket end come back through the outs.
    static Result<std::vector<UsageBucket>> readPage(std::string_view body, const Pricing &pricing,
                                                     const std::string &sourceName, bool &hasMore,
                                                     std::string &nextPage, std::int64_t &latestEndMs);

private:
    HttpClient &m_http;
    const Pricing &m_pricing;
    std::string m_sourceName;
    std::string m_baseUrl;
    std::string m_adminKey;
    Options m_options;
};

} // namespace rl

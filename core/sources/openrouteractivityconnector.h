#pragma once

#include "clock.h"
#include "net/httpclient.h"
#include "pricing/pricing.h"
#include "sources/usageconnector.h"

#include <string>
#include <string_view>

namespace rl {

// Polls OpenRouter's daily activity (gateway-apis.md §4.2: GET {base}/api/v1/activity?date=YYYY-MM-DD, a
// management key as bearer token; base https://openrouter.ai, a base ending in /api/v1 works too). The
// endpoint has no pagination and covers the last 30 *completed* UTC days, so the connector reads one day
// per page and the cursor is the next day to read ("YYYY-MM-DD"); today is never asked for. Once caught
// up it starts `rereadDays` back, since recent days are revised, and the store upserts them.
// Rows (one per model and endpoint) are summed per model into one bucket per day:
//  - model "openrouter/<model>" (the row's `model`, e.g. openai/gpt-4.1), provider "openrouter";
//  - requests, input = prompt_tokens, output = completion_tokens, reasoning = reasoning_tokens (part of
//    the completion tokens); OpenRouter reports no cached tokens here;
//  - reportedCostMicro = `usage` (USD, what OpenRouter charged); costMicro from the price catalog.
// `usage` is OpenRouter's bill, so each bucket also yields a cost line (lineItem "usage"). BYOK inference
// (`byok_usage_inference`) is billed by the upstream provider to the customer's own key and is not in it.
class OpenRouterActivityConnector : public UsageConnector {
public:
    struct Options {
        std::int64_t firstMs = 0; // where a new source starts; 0 (or older than 30 days): 30 days ago
        int rereadDays = 2;       // completed days read again once caught up
        std::string apiKeyHash;   // only this key's activity (api_key_hash); empty: all keys
        Clock nowMs;              // empty: the system clock
    };

    OpenRouterActivityConnector(HttpClient &http, const Pricing &pricing, std::string sourceName, std::string baseUrl,
                                std::string managementKey, Options options);

    std::string sourceName() const override { return m_sourceName; }
    Result<SourcePage> fetch(const std::optional<std::string> &cursor) override;

    // One day's answer into buckets and cost lines; rows dated otherwise than `dayMs` are refused.
    static Result<IngestBatch> readDay(std::string_view body, const Pricing &pricing, const std::string &sourceName,
                                       std::int64_t dayMs, const std::string &apiKeyHash = {});

private:
    HttpClient &m_http;
    const Pricing &m_pricing;
    std::string m_sourceName;
    std::string m_baseUrl; // up to, without, /api/v1
    std::string m_key;
    Options m_options;
};

} // namespace rl

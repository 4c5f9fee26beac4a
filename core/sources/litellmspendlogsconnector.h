#pragma once

#include "clock.h"
#include "net/httpclient.h"
#include "pricing/pricing.h"
#include "sources/usageconnector.h"

#include <chrono>
#include <string>
#include <string_view>

namespace rl {

// Polls a LiteLLM proxy's spend logs (gateway-apis.md §1.3) into store events: GET /spend/logs/v2, or
// /spend/logs/ui on proxies without it, over fixed windows that have closed (so pages do not shift under
// the crawl), page by page; rows are deduplicated on request_id by the store. LiteLLM's bounds are inclusive
// and second-granular, so a window asks up to the next window's start second (the overlap is deduplicated). The cursor
// is
// "<window start ms>/<page>". LiteLLM's `spend` is kept as the reported cost beside the catalog's.
class LiteLlmSpendLogsConnector : public UsageConnector {
public:
    struct Options {
        std::chrono::milliseconds window{3'600'000}; // crawl one hour at a time
        std::chrono::milliseconds closeLag{600'000}; // a window is read once it ended this long ago
        int pageSize = 100;                          // LiteLLM's maximum
        std::int64_t firstWindowMs = 0;              // where a new source starts; 0: 7 days ago
        Clock nowMs;                                 // empty: the system clock
    };

    LiteLlmSpendLogsConnector(HttpClient &http, const Pricing &pricing, std::string sourceName, std::string baseUrl,
                              std::string apiKey, Options options);

    std::string sourceName() const override { return m_sourceName; }
    Result<SourcePage> fetch(const std::optional<std::string> &cursor) override;

    // Reads one page's rows into events; `totalPages` receives the envelope's total_pages. With `askedPage`
    // (> 0), a page numbered otherwise, or empty while more are said to follow, is refused.
    static Result<std::vector<UsageEvent>> readPage(std::string_view body, const Pricing &pricing,
                                                    const std::string &sourceName, int &totalPages, int askedPage = 0);
    // "2025-11-20T14:03:12.123000Z" or "...+00:00" → UTC ms; nullopt when unreadable (IsoTime::parse).
    static std::optional<std::int64_t> parseTime(std::string_view text);

private:
    HttpClient &m_http;
    const Pricing &m_pricing;
    std::string m_sourceName;
    std::string m_baseUrl;
    std::string m_apiKey;
    Options m_options;
    std::string m_path = "/spend/logs/v2";
};

} // namespace rl

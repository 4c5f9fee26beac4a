#pragma once

#include "net/httpclient.h"
#include "pricing/pricing.h"
#include "sources/usageconnector.h"

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace rl {

// Polls a LiteLLM proxy's daily activity (gateway-apis.md §1.4: GET {base}/team/daily/activity or
// /tag/daily/activity, SpendAnalyticsPaginatedResponse) into daily store buckets, with
// start_date/end_date (YYYY-MM-DD), page and page_size. One fetch reads one window of `windowDays` days
// with ALL its pages (following metadata.has_more / total_pages) and sums them before anything is
// stored: LiteLLM pages over its daily-spend rows, so one day's metrics can be spread over pages, and a
// bucket is upserted whole. The cursor is the first day of the next window ("YYYY-MM-DD"); today is read
// too (it is revised until it ends), and once caught up the next poll starts `rereadDays` before today.
//
// Mapping, per day (metrics: spend → reportedCostMicro, api_requests → requests; prompt_tokens include
// the cache, so input = prompt − cache_read − cache_creation, cachedInput = cache_read_input_tokens,
// cacheWrite = cache_creation_input_tokens, output = completion_tokens; costMicro from the price catalog
// for the model as LiteLLM names it):
//  - Dimension::Team: one bucket per team and model: breakdown.models[model].api_key_breakdown gives each
//    key's metrics and team_id (a key belongs to one team); team = the team's alias from
//    breakdown.entities[team_id].metadata.team_alias, else the team id. A model's metrics not covered by
//    its keys go to team "" (unassigned). A day with no key breakdown at all falls back to one bucket per
//    team from breakdown.entities, without a model.
//  - Dimension::Tag: one bucket per tag from breakdown.entities, the tag in `app` (buckets have no tag
//    list), without a model (LiteLLM does not split tags by model). A request with two tags counts in
//    both: a tag source must not be summed with a team source of the same proxy.
class LiteLlmDailyActivityConnector : public UsageConnector {
public:
    enum class Dimension { Team, Tag };

    struct Options {
        Dimension dimension = Dimension::Team;
        std::int64_t firstMs = 0; // where a new source starts; 0: 7 days ago
        int windowDays = 7;       // days per request window
        int rereadDays = 2;       // days before today read again once caught up
        int pageSize = 100;
        int maxPages = 1000;                 // per window; more is refused
        std::function<std::int64_t()> nowMs; // the clock (tests set it)
    };

    LiteLlmDailyActivityConnector(HttpClient &http, const Pricing &pricing, std::string sourceName, std::string baseUrl,
                                  std::string apiKey, Options options);

    std::string sourceName() const override { return m_sourceName; }
    Result<SourcePage> fetch(const std::optional<std::string> &cursor) override;

    // The sums of one window's pages, before they become buckets.
    struct Metrics {
        std::int64_t spendMicro = 0;
        std::int64_t prompt = 0, completion = 0, cacheRead = 0, cacheCreation = 0, requests = 0;
    };
    struct Window {
        std::int64_t firstDayMs = 0, lastDayMs = 0;
        // (day, team, app, model) → sums
        std::map<std::tuple<std::int64_t, std::string, std::string, std::string>, Metrics> sums;
    };
    // Adds one page to `window`; the value says whether another page follows. `askedPage` is checked
    // against metadata.page.
    static Result<bool> readPage(std::string_view body, const std::string &sourceName, Dimension dimension,
                                 int askedPage, Window &window);
    // The window's buckets, priced from the catalog.
    static std::vector<UsageBucket> buckets(const Window &window, const Pricing &pricing);

private:
    HttpClient &m_http;
    const Pricing &m_pricing;
    std::string m_sourceName;
    std::string m_baseUrl;
    std::string m_apiKey;
    Options m_options;
};

} // namespace rl

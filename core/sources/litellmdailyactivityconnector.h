#pragma once

#include "clock.h"
#include "net/httpclient.h"
#include "pricing/pricing.h"
#include "sources/usageconnector.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rl {

// Polls a LiteLLM proxy's daily activity (gateway-apis.md §1.4 and §9: GET {base}/team/daily/activity or
// /tag/daily/activity, SpendAnalyticsPaginatedResponse) into daily store buckets. One fetch reads one
// window of `windowDays` days and replaces what was stored for those days (IngestBatch::replaceBuckets):
// LiteLLM revises recent days, so a re-read day is never added to what an earlier read stored.
//
// Which team a row is on: the team the spend was logged under, which is the entity of the row
// (`breakdown.entities`, keyed by team id, "Unassigned" for none), never `api_key_breakdown[…].metadata
// .team_id`, which LiteLLM looks up from the key as it is now (a key that moved teams, or a deleted one,
// would move its past spend). Entities are not split by model, so each team's models come from a read
// filtered to that team (`team_ids=`); what no team covers goes to team "" (unassigned). A proxy that
// ignores the filter (other teams in a filtered answer) is refused rather than counted once per team.
//
// Stable pages: LiteLLM pages with an offset over rows ordered by date only, while today's rows are still
// being upserted, so pages of one read can overlap or miss rows. A read asks for `pageSize` rows; when the
// answer says there are more pages, it asks again for all of them in one page (up to `maxPageSize`), and
// beyond that pages through, starting over (`maxRestarts` times) whenever the page count changes under it.
//
// Mapping (metrics: spend → reportedCostMicro, api_requests → requests; prompt_tokens include the cache,
// so input = prompt − cache_read − cache_creation, cachedInput = cache_read_input_tokens, cacheWrite =
// cache_creation_input_tokens, output = completion_tokens; costMicro from the catalog for the model as
// LiteLLM names it). Dimension::Tag: one bucket per tag (in `app`), without a model (LiteLLM does not
// split tags by model); a request with two tags counts in both, so a tag source must not be summed with a
// team source of the same proxy. The cursor is the first day of the next window ("YYYY-MM-DD"); today is
// read too, and once caught up the next poll starts `rereadDays` before today.
class LiteLlmDailyActivityConnector : public UsageConnector {
public:
    enum class Dimension { Team, Tag };

    struct Options {
        Dimension dimension = Dimension::Team;
        std::int64_t firstMs = 0;  // where a new source starts; 0: 7 days ago
        int windowDays = 7;        // days per request window
        int rereadDays = 2;        // days before today read again once caught up
        int pageSize = 1000;       // rows asked for first (LiteLLM has no maximum; its default is 10)
        int maxPageSize = 100'000; // the most rows asked for in one page when a read would span pages
        int maxPages = 1000;       // per read; more is refused
        int maxRestarts = 3;       // reads started over because the rows changed under them
        Clock nowMs;               // empty: the system clock
    };

    LiteLlmDailyActivityConnector(HttpClient &http, const Pricing &pricing, std::string sourceName, std::string baseUrl,
                                  std::string apiKey, Options options);

    std::string sourceName() const override { return m_sourceName; }
    Result<SourcePage> fetch(const std::optional<std::string> &cursor) override;

    struct Metrics {
        std::int64_t spendMicro = 0;
        std::int64_t prompt = 0, completion = 0, cacheRead = 0, cacheCreation = 0, requests = 0;
    };
    struct Entity {
        std::string alias; // metadata.team_alias, when the entity is a team that has one
        Metrics metrics;
    };
    // One day of one read, summed over its pages.
    struct Day {
        Metrics total;
        std::map<std::string, Metrics> models;  // breakdown.models
        std::map<std::string, Entity> entities; // breakdown.entities: teams or tags
    };
    using Activity = std::map<std::int64_t, Day>; // by day start (UTC ms)

    struct PageInfo {
        bool hasMore = false;
        std::int64_t totalPages = -1; // -1: the page did not say
    };
    // Adds one page to `activity`; days outside [firstDayMs, lastDayMs] are refused. `askedPage` is checked
    // against metadata.page.
    static Result<PageInfo> readPage(std::string_view body, const std::string &sourceName, int askedPage,
                                     std::int64_t firstDayMs, std::int64_t lastDayMs, Activity &activity);
    // Team × model buckets: `all` is the unfiltered read, `byTeam` a read filtered to each team of it.
    static std::vector<UsageBucket> teamBuckets(const Activity &all, const std::map<std::string, Activity> &byTeam,
                                                const Pricing &pricing);
    static std::vector<UsageBucket> tagBuckets(const Activity &all, const Pricing &pricing);
    // The entity LiteLLM files rows without a team under.
    static constexpr std::string_view kUnassigned = "Unassigned";

private:
    // Every page of one read of the window, `filter` appended to the query ("&team_ids=…").
    Result<Activity> read(std::int64_t firstDayMs, std::int64_t lastDayMs, const std::string &filter);

    HttpClient &m_http;
    const Pricing &m_pricing;
    std::string m_sourceName;
    std::string m_baseUrl;
    std::string m_apiKey;
    Options m_options;
};

} // namespace rl

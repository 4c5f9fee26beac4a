#include "sources/openrouteractivityconnector.h"

#include "sources/baseurl.h"
#include "sources/isotime.h"
#include "sources/jsonfields.h"
#include "sources/malformedpage.h"

#include <nlohmann/json.hpp>

#include <map>

namespace rl {

using nlohmann::json;

namespace {

constexpr std::int64_t kDay = IsoTime::kDayMs;

} // namespace

OpenRouterActivityConnector::OpenRouterActivityConnector(HttpClient &http, const Pricing &pricing,
                                                         std::string sourceName, std::string baseUrl,
                                                         std::string managementKey, Options options)
    : m_http(http), m_pricing(pricing), m_sourceName(std::move(sourceName)),
      m_baseUrl(trimmedBaseUrl(std::move(baseUrl), "/api/v1")), m_key(std::move(managementKey)),
      m_options(std::move(options))
{}

Result<IngestBatch> OpenRouterActivityConnector::readDay(std::string_view body, const Pricing &pricing,
                                                         const std::string &sourceName, std::int64_t dayMs,
                                                         const std::string &apiKeyHash)
{
    const MalformedPage malformed{"OpenRouter activity", sourceName, "/api/v1/activity?date=" + IsoTime::date(dayMs),
                                  "the OpenRouter API"};
    auto parsed = malformed.parseObject(body);
    if (!parsed)
        return parsed.error();
    const json &page = parsed.value();
    auto data = page.find("data");
    if (data == page.end() || !data->is_array())
        return malformed.error("'data' is missing or not a list");
    IngestBatch batch;
    std::map<std::string, std::size_t> byModel;
    for (std::size_t i = 0; i < data->size(); ++i) {
        const json &row = (*data)[i];
        const std::string where = "row " + std::to_string(i);
        if (!row.is_object())
            return malformed.error(where + " is not an object");
        const std::string date = JsonFields::text(row, "date");
        auto day = IsoTime::parseDate(date.substr(0, 10));
        if (!day)
            return malformed.error(where + ": 'date' is missing or not YYYY-MM-DD");
        if (*day != dayMs)
            return malformed.error(where + ": 'date' is " + date + ", not the day asked for");
        const std::string model = JsonFields::text(row, "model");
        if (model.empty())
            return malformed.error(where + ": 'model' is missing");
        for (const char *key : {"requests", "prompt_tokens", "completion_tokens"}) {
            if (!JsonFields::has(row, key))
                return malformed.error(where + ": '" + key + "' is missing");
        }
        auto usage = row.find("usage");
        std::optional<std::int64_t> usageMicro;
        if (usage != row.end())
            usageMicro = JsonFields::microUsd(*usage, JsonFields::MoneyUnit::Dollars);
        if (!usageMicro || *usageMicro < 0)
            return malformed.error(where + ": 'usage' is missing or not an amount");
        const std::string id = "openrouter/" + model;
        auto [it, added] = byModel.emplace(id, batch.buckets.size());
        if (added) {
            UsageBucket b;
            b.startMs = dayMs;
            b.endMs = dayMs + kDay;
            b.model = id;
            b.provider = "openrouter";
            b.apiKey = apiKeyHash;
            b.reportedCostMicro = 0;
            batch.buckets.push_back(std::move(b));
        }
        UsageBucket &b = batch.buckets[it->second];
        b.requests += JsonFields::count(row, "requests");
        b.tokens.input += JsonFields::count(row, "prompt_tokens");
        const std::int64_t completion = JsonFields::count(row, "completion_tokens");
        b.tokens.output += completion;
        b.tokens.reasoning += std::min(completion, JsonFields::count(row, "reasoning_tokens"));
        *b.reportedCostMicro += *usageMicro;
    }
    for (UsageBucket &b : batch.buckets) {
        const Cost cost = pricing.cost(b.model, b.tokens, b.startMs);
        b.costMicro = cost.microUsd;
        b.unpriced = cost.unpriced;
        CostLine line;
        line.startMs = b.startMs;
        line.endMs = b.endMs;
        line.model = b.model;
        line.provider = "openrouter";
        line.apiKey = b.apiKey;
        line.lineItem = "usage";
        line.amountMicro = *b.reportedCostMicro;
        batch.costs.push_back(std::move(line));
    }
    return batch;
}

Result<SourcePage> OpenRouterActivityConnector::fetch(const std::optional<std::string> &cursor)
{
    const std::int64_t today = IsoTime::dayStart(readClock(m_options.nowMs));
    const std::int64_t earliest = today - 30 * kDay; // the endpoint keeps the last 30 completed days
    std::int64_t day = m_options.firstMs != 0 ? IsoTime::dayStart(m_options.firstMs) : earliest;
    if (cursor) {
        auto parsed = IsoTime::parseDate(*cursor);
        if (!parsed)
            return Error{"source.bad_cursor",
                         "The stored cursor '" + *cursor + "' of " + m_sourceName
                             + " is not an OpenRouter activity cursor (a YYYY-MM-DD day); use \"Read again from the "
                               "start\" on the Sources page",
                         false};
        day = *parsed;
    }
    day = std::max(day, earliest);
    SourcePage out;
    out.batch.source = m_sourceName;
    out.batch.sourceKind = "openrouter";
    if (day >= today) { // today is not complete: nothing to read yet
        out.batch.cursor = IsoTime::date(day);
        return out;
    }
    std::string url = m_baseUrl + "/api/v1/activity?date=" + IsoTime::date(day);
    if (!m_options.apiKeyHash.empty())
        url += "&api_key_hash=" + m_options.apiKeyHash;
    auto answer = m_http.send({"GET", url, {{"Authorization", "Bearer " + m_key}, {"Accept", "application/json"}}, {}});
    const std::int64_t next = day + kDay;
    if (!answer && answer.error().message.find("(HTTP 400)") != std::string::npos) {
        // The endpoint keeps recent days only; whether it still answers for the oldest one is not documented
        // (gateway-apis.md §9). A refused oldest day is skipped, so the source never stalls on it.
        if (day == earliest) {
            out.batch.cursor = IsoTime::date(next);
            out.hasMore = next < today;
            return out;
        }
        return Error{"source.date_out_of_range",
                     "OpenRouter refused the activity of " + IsoTime::date(day) + " for " + m_sourceName
                         + " (HTTP 400): it answers only for the last 30 completed UTC days. The day is read again "
                           "at the next poll and skipped once it is the oldest; check the computer's clock if this "
                           "day is recent. "
                         + answer.error().message,
                     false};
    }
    if (!answer)
        return answer.error();
    auto batch = readDay(answer->body, m_pricing, m_sourceName, day, m_options.apiKeyHash);
    if (!batch)
        return batch.error();
    out.batch.buckets = std::move(batch->buckets);
    out.batch.costs = std::move(batch->costs);
    if (next < today) {
        out.batch.cursor = IsoTime::date(next);
        out.hasMore = true;
    } else {
        // Caught up: the next poll reads the last few completed days again (revisions).
        out.batch.cursor = IsoTime::date(std::max(earliest, today - std::max(0, m_options.rereadDays) * kDay));
    }
    return out;
}

} // namespace rl

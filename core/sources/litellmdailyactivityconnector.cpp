#include "sources/litellmdailyactivityconnector.h"

#include "net/percentencoding.h"
#include "sources/baseurl.h"
#include "sources/isotime.h"
#include "sources/jsonfields.h"
#include "sources/litellmerrors.h"
#include "sources/malformedpage.h"

#include <nlohmann/json.hpp>

namespace rl {

using nlohmann::json;

namespace {

constexpr std::int64_t kDay = IsoTime::kDayMs;
using Metrics = LiteLlmDailyActivityConnector::Metrics;
using Activity = LiteLlmDailyActivityConnector::Activity;

void add(Metrics &to, const Metrics &from)
{
    to.spendMicro += from.spendMicro;
    to.prompt += from.prompt;
    to.completion += from.completion;
    to.cacheRead += from.cacheRead;
    to.cacheCreation += from.cacheCreation;
    to.requests += from.requests;
}

// What `whole` has beyond `part`, never below zero per field (rows upserted between two reads of an open
// day can make a part look larger than its whole); false when nothing is left.
bool remainder(const Metrics &whole, const Metrics &part, Metrics &out)
{
    auto rest = [](std::int64_t a, std::int64_t b) { return a > b ? a - b : 0; };
    out.spendMicro = rest(whole.spendMicro, part.spendMicro);
    out.prompt = rest(whole.prompt, part.prompt);
    out.completion = rest(whole.completion, part.completion);
    out.cacheRead = rest(whole.cacheRead, part.cacheRead);
    out.cacheCreation = rest(whole.cacheCreation, part.cacheCreation);
    out.requests = rest(whole.requests, part.requests);
    return out.spendMicro || out.prompt || out.completion || out.cacheRead || out.cacheCreation || out.requests;
}

const json &member(const json &object, const char *key)
{
    static const json none;
    if (!object.is_object())
        return none;
    auto it = object.find(key);
    return it == object.end() ? none : *it;
}

UsageBucket bucketOf(std::int64_t day, std::string team, std::string app, std::string model, const Metrics &m,
                     const Pricing &pricing)
{
    UsageBucket b;
    b.startMs = day;
    b.endMs = day + kDay;
    b.team = std::move(team);
    b.app = std::move(app);
    b.model = std::move(model);
    const auto slash = b.model.find('/');
    b.provider = slash == std::string::npos ? std::string() : b.model.substr(0, slash);
    b.requests = m.requests;
    b.tokens.cachedInput = std::min(m.cacheRead, m.prompt);
    b.tokens.cacheWrite = std::min(m.cacheCreation, m.prompt - b.tokens.cachedInput);
    b.tokens.input = m.prompt - b.tokens.cachedInput - b.tokens.cacheWrite;
    b.tokens.output = m.completion;
    b.reportedCostMicro = m.spendMicro;
    const Cost cost = b.model.empty() ? Cost{0, true} : pricing.cost(b.model, b.tokens, b.startMs);
    b.costMicro = cost.microUsd;
    b.unpriced = cost.unpriced;
    return b;
}

} // namespace

LiteLlmDailyActivityConnector::LiteLlmDailyActivityConnector(HttpClient &http, const Pricing &pricing,
                                                             std::string sourceName, std::string baseUrl,
                                                             std::string apiKey, Options options)
    : m_http(http), m_pricing(pricing), m_sourceName(std::move(sourceName)),
      m_baseUrl(trimmedBaseUrl(std::move(baseUrl))), m_apiKey(std::move(apiKey)), m_options(std::move(options))
{}

Result<LiteLlmDailyActivityConnector::PageInfo>
LiteLlmDailyActivityConnector::readPage(std::string_view body, const std::string &sourceName, int askedPage,
                                        std::int64_t firstDayMs, std::int64_t lastDayMs, Activity &activity)
{
    // Read from /team/daily/activity or /tag/daily/activity, which this reader is not told.
    const MalformedPage malformed{"LiteLLM daily activity", sourceName, "", "a LiteLLM proxy"};
    auto parsed = malformed.parseObject(body);
    if (!parsed)
        return parsed.error();
    const json &page = parsed.value();
    auto results = page.find("results");
    if (results == page.end() || !results->is_array())
        return malformed.error("'results' is missing or not a list");
    const json &metadata = member(page, "metadata");
    if (!metadata.is_object())
        return malformed.error("'metadata' is missing or not an object");
    PageInfo info;
    const json &more = member(metadata, "has_more");
    const json &totalPages = member(metadata, "total_pages");
    if (totalPages.is_number_integer())
        info.totalPages = totalPages.get<std::int64_t>();
    if (more.is_boolean())
        info.hasMore = more.get<bool>();
    else if (info.totalPages >= 0)
        info.hasMore = askedPage < info.totalPages;
    else
        return malformed.error("'metadata.has_more' and 'metadata.total_pages' are missing");
    const json &number = member(metadata, "page");
    if (number.is_number_integer() && number.get<std::int64_t>() != askedPage)
        return malformed.error("'metadata.page' is " + std::to_string(number.get<std::int64_t>())
                               + ", not the page asked for (" + std::to_string(askedPage) + ")");
    if (results->empty() && info.hasMore)
        return malformed.error("page " + std::to_string(askedPage) + " holds no results but says there are more");

    auto metricsOf = [&](const json &object, const std::string &where) -> Result<Metrics> {
        if (!object.is_object())
            return malformed.error(where + ": 'metrics' is missing or not an object");
        for (const char *key : {"spend", "prompt_tokens", "completion_tokens"}) {
            if (!JsonFields::has(object, key))
                return malformed.error(where + ": 'metrics." + key + "' is missing");
        }
        auto spend = JsonFields::microUsd(object["spend"], JsonFields::MoneyUnit::Dollars);
        if (!spend || *spend < 0)
            return malformed.error(where + ": 'metrics.spend' is not an amount");
        Metrics m;
        m.spendMicro = *spend;
        m.prompt = JsonFields::count(object, "prompt_tokens");
        m.completion = JsonFields::count(object, "completion_tokens");
        m.cacheRead = JsonFields::count(object, "cache_read_input_tokens");
        m.cacheCreation = JsonFields::count(object, "cache_creation_input_tokens");
        m.requests = JsonFields::count(object, "api_requests");
        return m;
    };

    // The page is read whole into `read` and added to `activity` only when every part of it is good.
    Activity read;
    for (std::size_t i = 0; i < results->size(); ++i) {
        const json &result = (*results)[i];
        const std::string where = "result " + std::to_string(i);
        if (!result.is_object())
            return malformed.error(where + " is not an object");
        const std::string date = JsonFields::text(result, "date");
        auto day = IsoTime::parseDate(date.substr(0, 10));
        if (!day)
            return malformed.error(where + ": 'date' is missing or not YYYY-MM-DD");
        if (*day < firstDayMs || *day > lastDayMs)
            return malformed.error(where + ": 'date' " + date + " is outside the days asked for");
        auto total = metricsOf(member(result, "metrics"), where);
        if (!total)
            return total.error();
        const json &breakdown = member(result, "breakdown");
        if (!breakdown.is_object())
            return malformed.error(where + ": 'breakdown' is missing or not an object");
        Day &to = read[*day];
        add(to.total, total.value());
        for (const char *part : {"models", "entities"}) {
            const json &entries = member(breakdown, part);
            if (entries.is_null())
                continue;
            if (!entries.is_object())
                return malformed.error(where + ": 'breakdown." + part + "' is not an object");
            const bool models = part == std::string_view("models");
            for (const auto &[name, entry] : entries.items()) {
                auto m = metricsOf(member(entry, "metrics"),
                                   where + ", " + (models ? "model" : "entity") + " '" + name + "'");
                if (!m)
                    return m.error();
                if (models) {
                    add(to.models[name], m.value());
                } else {
                    Entity &entity = to.entities[name];
                    add(entity.metrics, m.value());
                    const std::string alias = JsonFields::text(member(entry, "metadata"), "team_alias");
                    if (!alias.empty())
                        entity.alias = alias;
                }
            }
        }
    }
    for (auto &[day, got] : read) {
        Day &to = activity[day];
        add(to.total, got.total);
        for (const auto &[name, m] : got.models)
            add(to.models[name], m);
        for (const auto &[name, entity] : got.entities) {
            add(to.entities[name].metrics, entity.metrics);
            if (!entity.alias.empty())
                to.entities[name].alias = entity.alias;
        }
    }
    return info;
}

std::vector<UsageBucket> LiteLlmDailyActivityConnector::teamBuckets(const Activity &all,
                                                                    const std::map<std::string, Activity> &byTeam,
                                                                    const Pricing &pricing)
{
    std::vector<UsageBucket> out;
    for (const auto &[day, whole] : all) {
        std::map<std::string, Metrics> covered; // per model, by the teams' own reads
        Metrics teamsUnmodelled;
        for (const auto &[teamId, entity] : whole.entities) {
            auto read = byTeam.find(teamId);
            if (teamId == kUnassigned || read == byTeam.end())
                continue;
            auto own = read->second.find(day);
            if (own == read->second.end())
                continue; // the team's read had nothing that day (an open day read twice): left unassigned
            const std::string team = entity.alias.empty() ? teamId : entity.alias;
            Metrics modelled;
            for (const auto &[model, m] : own->second.models) {
                out.push_back(bucketOf(day, team, {}, model, m, pricing));
                add(covered[model], m);
                add(modelled, m);
            }
            Metrics rest;
            if (remainder(own->second.total, modelled, rest)) { // usage without a model, which `models` skips
                out.push_back(bucketOf(day, team, {}, {}, rest, pricing));
                add(teamsUnmodelled, rest);
            }
        }
        // What no team's read covers: rows without a team (and, on an open day, rows logged in between).
        Metrics modelled, rest;
        for (const auto &[model, m] : whole.models) {
            add(modelled, m);
            if (remainder(m, covered[model], rest))
                out.push_back(bucketOf(day, {}, {}, model, rest, pricing));
        }
        Metrics unmodelled;
        if (remainder(whole.total, modelled, unmodelled) && remainder(unmodelled, teamsUnmodelled, rest))
            out.push_back(bucketOf(day, {}, {}, {}, rest, pricing));
    }
    return out;
}

std::vector<UsageBucket> LiteLlmDailyActivityConnector::tagBuckets(const Activity &all, const Pricing &pricing)
{
    std::vector<UsageBucket> out;
    for (const auto &[day, whole] : all)
        for (const auto &[tag, entity] : whole.entities)
            out.push_back(bucketOf(day, {}, tag, {}, entity.metrics, pricing));
    return out;
}

Result<Activity> LiteLlmDailyActivityConnector::read(std::int64_t firstDayMs, std::int64_t lastDayMs,
                                                     const std::string &filter)
{
    const std::string path = m_options.dimension == Dimension::Tag ? "/tag/daily/activity" : "/team/daily/activity";
    auto ask = [&](int page, int pageSize) {
        const std::string url = m_baseUrl + path + "?start_date=" + IsoTime::date(firstDayMs)
                                + "&end_date=" + IsoTime::date(lastDayMs) + filter + "&page=" + std::to_string(page)
                                + "&page_size=" + std::to_string(pageSize);
        return m_http.send({"GET", url, {{"Authorization", "Bearer " + m_apiKey}}, {}});
    };
    int pageSize = std::max(1, m_options.pageSize);
    for (int restarts = 0; restarts <= m_options.maxRestarts;) {
        Activity activity;
        std::int64_t pagesSeen = -1;
        bool again = false;
        for (int page = 1; !again; ++page) {
            if (page > m_options.maxPages)
                return MalformedPage{"LiteLLM daily activity", m_sourceName, path, "a LiteLLM proxy"}.error(
                    "it has more than " + std::to_string(m_options.maxPages) + " pages for the window from "
                    + IsoTime::date(firstDayMs));
            auto answer = ask(page, pageSize);
            if (!answer)
                return LiteLlmErrors::explain(answer.error(), m_sourceName);
            auto info = readPage(answer->body, m_sourceName, page, firstDayMs, lastDayMs, activity);
            if (!info)
                return info.error();
            if (page == 1 && info->hasMore && info->totalPages > 1) {
                // Ask for every row in one page: one answer is one consistent reading of the rows.
                const std::int64_t rows = static_cast<std::int64_t>(pageSize) * info->totalPages;
                if (rows <= m_options.maxPageSize) {
                    pageSize = static_cast<int>(rows);
                    again = true;
                    continue;
                }
            }
            if (pagesSeen >= 0 && info->totalPages != pagesSeen) {
                ++restarts; // rows were added or removed between two pages, so the pages may have shifted
                again = true;
                continue;
            }
            pagesSeen = info->totalPages;
            if (!info->hasMore)
                return activity;
        }
    }
    return Error{"source.unstable",
                 "LiteLLM " + m_sourceName + " kept changing its daily activity for " + IsoTime::date(firstDayMs)
                     + " to " + IsoTime::date(lastDayMs) + " while it was read (rows added between its pages, "
                     + std::to_string(m_options.maxRestarts + 1)
                     + " reads in a row); nothing from it was stored and it will be read again at the next poll.",
                 true};
}

Result<SourcePage> LiteLlmDailyActivityConnector::fetch(const std::optional<std::string> &cursor)
{
    const std::int64_t today = IsoTime::dayStart(readClock(m_options.nowMs));
    std::int64_t day = m_options.firstMs != 0 ? IsoTime::dayStart(m_options.firstMs) : today - 7 * kDay;
    if (cursor) {
        auto parsed = IsoTime::parseDate(*cursor);
        if (!parsed)
            return Error{"source.bad_cursor",
                         "The stored cursor '" + *cursor + "' of " + m_sourceName
                             + " is not a LiteLLM daily-activity cursor (a YYYY-MM-DD day); use \"Read again from the "
                               "start\" on the Sources page",
                         false};
        day = *parsed;
    }
    SourcePage out;
    out.batch.source = m_sourceName;
    out.batch.sourceKind = "litellm";
    if (day > today) {
        out.batch.cursor = IsoTime::date(day);
        return out;
    }
    const std::int64_t firstDay = day;
    const std::int64_t lastDay = std::min(today, day + (std::max(1, m_options.windowDays) - 1) * kDay);
    auto all = read(firstDay, lastDay, {});
    if (!all)
        return all.error();
    if (m_options.dimension == Dimension::Tag) {
        out.batch.buckets = tagBuckets(all.value(), m_pricing);
    } else {
        std::map<std::string, Activity> byTeam;
        for (const auto &[when, whole] : all.value()) {
            for (const auto &[teamId, entity] : whole.entities) {
                if (teamId == kUnassigned || byTeam.count(teamId))
                    continue;
                auto own = read(firstDay, lastDay, "&team_ids=" + percentEncoded(teamId));
                if (!own)
                    return own.error();
                for (const auto &[ownDay, got] : own.value())
                    for (const auto &[other, ignored] : got.entities)
                        if (other != teamId)
                            return Error{"source.unsupported",
                                         "LiteLLM " + m_sourceName
                                             + " ignores the team_ids filter of /team/daily/activity (asked for "
                                             + teamId + ", it answered with " + other
                                             + " too), so spend cannot be split by team and model; update the "
                                               "LiteLLM proxy, or read it by spend logs instead",
                                         false};
                byTeam.emplace(teamId, std::move(own.value()));
            }
        }
        out.batch.buckets = teamBuckets(all.value(), byTeam, m_pricing);
    }
    out.batch.replaceBuckets = BucketRange{firstDay, lastDay + kDay};
    if (lastDay >= today) {
        // Caught up (today included): the next poll reads the last days again, since LiteLLM revises them.
        out.batch.cursor = IsoTime::date(today - std::max(0, m_options.rereadDays) * kDay);
    } else {
        out.batch.cursor = IsoTime::date(lastDay + kDay);
        out.hasMore = true;
    }
    return out;
}

} // namespace rl

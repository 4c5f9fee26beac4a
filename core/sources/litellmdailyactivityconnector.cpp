#include "sources/litellmdailyactivityconnector.h"
#include "boundedjson.h"

#include "sources/isotime.h"
#include "sources/jsonfields.h"

#include <nlohmann/json.hpp>

namespace rl {

using nlohmann::json;

namespace {

constexpr std::int64_t kDay = IsoTime::kDayMs;
using Metrics = LiteLlmDailyActivityConnector::Metrics;

void add(Metrics &to, const Metrics &from)
{
    to.spendMicro += from.spendMicro;
    to.prompt += from.prompt;
    to.completion += from.completion;
    to.cacheRead += from.cacheRead;
    to.cacheCreation += from.cacheCreation;
    to.requests += from.requests;
}

// What `whole` has beyond `part`, never below zero per field; false when nothing is left.
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

} // namespace

LiteLlmDailyActivityConnector::LiteLlmDailyActivityConnector(HttpClient &http, const Pricing &pricing,
                                                             std::string sourceName, std::string baseUrl,
                                                             std::string apiKey, Options options)
    : m_http(http), m_pricing(pricing), m_sourceName(std::move(sourceName)), m_baseUrl(std::move(baseUrl)),
      m_apiKey(std::move(apiKey)), m_options(std::move(options))
{
    while (!m_baseUrl.empty() && m_baseUrl.back() == '/')
        m_baseUrl.pop_back();
    if (!m_options.nowMs)
        m_options.nowMs = &IsoTime::nowMs;
}

Result<bool> LiteLlmDailyActivityConnector::readPage(std::string_view body, const std::string &sourceName,
                                                     Dimension dimension, int askedPage, Window &window)
{
    auto malformed = [&](const std::string &what) {
        return Error{"source.malformed",
                     "LiteLLM " + sourceName + " sent a daily-activity page that cannot be read: " + what
                         + ". Nothing from it was stored.",
                     true};
    };
    if (auto shape = checkJsonShape(body, kSourcePageLimits); !shape)
        return malformed("it has " + shape.error().message);
    json page = json::parse(body.begin(), body.end(), nullptr, false);
    if (page.is_discarded() || !page.is_object())
        return malformed("it is not a JSON object");
    auto results = page.find("results");
    if (results == page.end() || !results->is_array())
        return malformed("'results' is missing or not a list");
    const json &metadata = member(page, "metadata");
    if (!metadata.is_object())
        return malformed("'metadata' is missing or not an object");
    bool hasMore = false;
    const json &more = member(metadata, "has_more");
    const json &totalPages = member(metadata, "total_pages");
    if (more.is_boolean())
        hasMore = more.get<bool>();
    else if (totalPages.is_number_integer())
        hasMore = askedPage < totalPages.get<std::int64_t>();
    else
        return malformed("'metadata.has_more' and 'metadata.total_pages' are missing");
    const json &number = member(metadata, "page");
    if (number.is_number_integer() && number.get<std::int64_t>() != askedPage)
        return malformed("'metadata.page' is " + std::to_string(number.get<std::int64_t>())
                         + ", not the page asked for (" + std::to_string(askedPage) + ")");
    if (results->empty() && hasMore)
        return malformed("page " + std::to_string(askedPage) + " holds no results but says there are more");

    auto metricsOf = [&](const json &object, const std::string &where) -> Result<Metrics> {
        if (!object.is_object())
            return malformed(where + ": 'metrics' is missing or not an object");
        for (const char *key : {"spend", "prompt_tokens", "completion_tokens"}) {
            if (!JsonFields::has(object, key))
                return malformed(where + ": 'metrics." + key + "' is missing");
        }
        auto spend = JsonFields::microUsd(object["spend"], JsonFields::MoneyUnit::Dollars);
        if (!spend || *spend < 0)
            return malformed(where + ": 'metrics.spend' is not an amount");
        Metrics m;
        m.spendMicro = *spend;
        m.prompt = JsonFields::count(object, "prompt_tokens");
        m.completion = JsonFields::count(object, "completion_tokens");
        m.cacheRead = JsonFields::count(object, "cache_read_input_tokens");
        m.cacheCreation = JsonFields::count(object, "cache_creation_input_tokens");
        m.requests = JsonFields::count(object, "api_requests");
        return m;
    };

    // Everything is read into `sums` first and added to the window only when the whole page is good.
    std::vector<std::pair<std::tuple<std::int64_t, std::string, std::string, std::string>, Metrics>> sums;
    for (std::size_t i = 0; i < results->size(); ++i) {
        const json &result = (*results)[i];
        const std::string where = "result " + std::to_string(i);
        if (!result.is_object())
            return malformed(where + " is not an object");
        const std::string date = JsonFields::text(result, "date");
        auto day = IsoTime::parseDate(date.substr(0, 10));
        if (!day)
            return malformed(where + ": 'date' is missing or not YYYY-MM-DD");
        if (*day < window.firstDayMs || *day > window.lastDayMs)
            return malformed(where + ": 'date' " + date + " is outside the days asked for");
        auto dayMetrics = metricsOf(member(result, "metrics"), where);
        if (!dayMetrics)
            return dayMetrics.error();
        const json &breakdown = member(result, "breakdown");
        if (!breakdown.is_object())
            return malformed(where + ": 'breakdown' is missing or not an object");
        const json &entities = member(breakdown, "entities");
        if (!entities.is_null() && !entities.is_object())
            return malformed(where + ": 'breakdown.entities' is not an object");
        const json &models = member(breakdown, "models");
        if (!models.is_null() && !models.is_object())
            return malformed(where + ": 'breakdown.models' is not an object");

        auto fromEntities = [&](bool asTag) -> std::optional<Error> {
            if (!entities.is_object())
                return malformed(where + ": 'breakdown.entities' is missing");
            for (const auto &[id, entity] : entities.items()) {
                auto m = metricsOf(member(entity, "metrics"), where + ", entity '" + id + "'");
                if (!m)
                    return m.error();
                std::string name = id;
                if (!asTag) {
                    const std::string alias = JsonFields::text(member(entity, "metadata"), "team_alias");
                    name = alias.empty() ? id : alias;
                }
                sums.push_back(
                    {{*day, asTag ? std::string() : name, asTag ? name : std::string(), std::string()}, m.value()});
            }
            return std::nullopt;
        };
        if (dimension == Dimension::Tag) {
            if (auto error = fromEntities(true))
                return *error;
            continue;
        }
        auto teamName = [&](const std::string &teamId) {
            if (teamId.empty())
                return teamId;
            const std::string alias =
                JsonFields::text(member(member(entities, teamId.c_str()), "metadata"), "team_alias");
            return alias.empty() ? teamId : alias;
        };
        bool anyKeys = false;
        if (models.is_object()) {
            for (const auto &[name, entry] : models.items()) {
                const json &keys = member(entry, "api_key_breakdown");
                anyKeys = anyKeys || (keys.is_object() && !keys.empty());
            }
        }
        if (!anyKeys && entities.is_object() && !entities.empty()) {
            if (auto error = fromEntities(false)) // no key breakdown: per team, without models
                return *error;
            continue;
        }
        if (!models.is_object() || models.empty()) {
            sums.push_back({{*day, std::string(), std::string(), std::string()}, dayMetrics.value()});
            continue;
        }
        for (const auto &[model, entry] : models.items()) {
            const std::string at = where + ", model '" + model + "'";
            auto modelMetrics = metricsOf(member(entry, "metrics"), at);
            if (!modelMetrics)
                return modelMetrics.error();
            Metrics covered;
            const json &keys = member(entry, "api_key_breakdown");
            if (!keys.is_null() && !keys.is_object())
                return malformed(at + ": 'api_key_breakdown' is not an object");
            if (keys.is_object()) {
                for (const auto &[key, keyEntry] : keys.items()) {
                    auto m = metricsOf(member(keyEntry, "metrics"), at + ", key '" + key + "'");
                    if (!m)
                        return m.error();
                    add(covered, m.value());
                    const std::string team = teamName(JsonFields::text(member(keyEntry, "metadata"), "team_id"));
                    sums.push_back({{*day, team, std::string(), model}, m.value()});
                }
            }
            Metrics rest;
            if (remainder(modelMetrics.value(), covered, rest))
                sums.push_back({{*day, std::string(), std::string(), model}, rest});
        }
    }
    for (auto &[key, metrics] : sums)
        add(window.sums[key], metrics);
    return hasMore;
}

std::vector<UsageBucket> LiteLlmDailyActivityConnector::buckets(const Window &window, const Pricing &pricing)
{
    std::vector<UsageBucket> out;
    out.reserve(window.sums.size());
    for (const auto &[key, m] : window.sums) {
        UsageBucket b;
        b.startMs = std::get<0>(key);
        b.endMs = b.startMs + kDay;
        b.team = std::get<1>(key);
        b.app = std::get<2>(key);
        b.model = std::get<3>(key);
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
        out.push_back(std::move(b));
    }
    return out;
}

Result<SourcePage> LiteLlmDailyActivityConnector::fetch(const std::optional<std::string> &cursor)
{
    const std::int64_t today = IsoTime::dayStart(m_options.nowMs());
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
    Window window;
    window.firstDayMs = day;
    window.lastDayMs = std::min(today, day + (std::max(1, m_options.windowDays) - 1) * kDay);
    const std::string path = m_options.dimension == Dimension::Tag ? "/tag/daily/activity" : "/team/daily/activity";
    for (int page = 1;; ++page) {
        if (page > m_options.maxPages)
            return Error{"source.malformed",
                         "LiteLLM " + m_sourceName + " sent more than " + std::to_string(m_options.maxPages)
                             + " daily-activity pages for " + IsoTime::date(window.firstDayMs)
                             + "; nothing from them was stored.",
                         true};
        const std::string url = m_baseUrl + path + "?start_date=" + IsoTime::date(window.firstDayMs)
                                + "&end_date=" + IsoTime::date(window.lastDayMs) + "&page=" + std::to_string(page)
                                + "&page_size=" + std::to_string(m_options.pageSize);
        auto answer = m_http.send({"GET", url, {{"Authorization", "Bearer " + m_apiKey}}, {}});
        if (!answer)
            return answer.error();
        auto more = readPage(answer->body, m_sourceName, m_options.dimension, page, window);
        if (!more)
            return more.error();
        if (!more.value())
            break;
    }
    out.batch.buckets = buckets(window, m_pricing);
    if (window.lastDayMs >= today) {
        // Caught up (today included): the next poll reads the last days again, since LiteLLM revises them.
        out.batch.cursor = IsoTime::date(today - std::max(0, m_options.rereadDays) * kDay);
    } else {
        out.batch.cursor = IsoTime::date(window.lastDayMs + kDay);
        out.hasMore = true;
    }
    return out;
}

} // namespace rl

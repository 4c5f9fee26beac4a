#include "sources/litellmspendlogsconnector.h"

#include "sources/baseurl.h"
#include "sources/isotime.h"
#include "sources/jsonfields.h"
#include "sources/litellmerrors.h"
#include "sources/malformedpage.h"

#include <date/date.h>
#include <nlohmann/json.hpp>

#include <charconv>

namespace rl {

using nlohmann::json;

namespace {

std::string utcText(std::int64_t ms)
{
    const date::sys_time<std::chrono::seconds> t{std::chrono::seconds(ms / 1000)};
    return date::format("%Y-%m-%d %H:%M:%S", t);
}

std::string urlEncoded(std::string_view text)
{
    std::string out;
    for (char c : text) {
        if (c == ' ')
            out += "%20";
        else if (c == ':')
            out += "%3A";
        else
            out += c;
    }
    return out;
}

constexpr auto count = &JsonFields::count;
constexpr auto text = &JsonFields::text;

} // namespace

LiteLlmSpendLogsConnector::LiteLlmSpendLogsConnector(HttpClient &http, const Pricing &pricing, std::string sourceName,
                                                     std::string baseUrl, std::string apiKey, Options options)
    : m_http(http), m_pricing(pricing), m_sourceName(std::move(sourceName)),
      m_baseUrl(trimmedBaseUrl(std::move(baseUrl))), m_apiKey(std::move(apiKey)), m_options(std::move(options))
{}

std::optional<std::int64_t> LiteLlmSpendLogsConnector::parseTime(std::string_view text)
{
    return IsoTime::parse(text);
}

Result<std::vector<UsageEvent>> LiteLlmSpendLogsConnector::readPage(std::string_view body, const Pricing &pricing,
                                                                    const std::string &sourceName, int &totalPages,
                                                                    int askedPage)
{
    // Read from /spend/logs/v2 or, on older proxies, /spend/logs/ui: the endpoint is left unnamed.
    const MalformedPage malformed{"LiteLLM spend logs", sourceName, "", "a LiteLLM proxy"};
    auto parsed = malformed.parseObject(body);
    if (!parsed)
        return parsed.error();
    const json &page = parsed.value();
    auto data = page.find("data");
    if (data == page.end() || !data->is_array())
        return malformed.error("'data' is missing or not a list");
    auto pages = page.find("total_pages");
    if (pages == page.end() || !pages->is_number_integer() || pages->get<int>() < 0)
        return malformed.error("'total_pages' is missing or not a whole number");
    totalPages = pages->get<int>();
    if (askedPage > 0) {
        // A page other than the one asked for (served twice, or numbered backwards) would store rows twice
        // or loop; an empty page that says there are more would skip rows.
        if (auto number = page.find("page");
            number != page.end() && number->is_number_integer() && number->get<std::int64_t>() != askedPage)
            return malformed.error("'page' is " + std::to_string(number->get<std::int64_t>())
                                   + ", not the page asked for (" + std::to_string(askedPage) + ")");
        if (data->empty() && askedPage < totalPages)
            return malformed.error("page " + std::to_string(askedPage) + " holds no rows but 'total_pages' ("
                                   + std::to_string(totalPages) + ") says there are more");
    }
    std::vector<UsageEvent> events;
    events.reserve(data->size());
    for (std::size_t i = 0; i < data->size(); ++i) {
        const json &row = (*data)[i];
        const std::string where = "row " + std::to_string(i);
        if (!row.is_object())
            return malformed.error(where + " is not an object");
        UsageEvent e;
        e.requestId = text(row, "request_id");
        if (e.requestId.empty())
            return malformed.error(where + ": 'request_id' is missing");
        auto start = parseTime(text(row, "startTime"));
        if (!start)
            return malformed.error(where + ": 'startTime' is missing or not an ISO-8601 time");
        e.timeMs = *start;
        if (auto end = parseTime(text(row, "endTime")); end && *end >= *start)
            e.latencyMs = *end - *start;
        if (!row.contains("prompt_tokens") || !row.contains("completion_tokens"))
            return malformed.error(where + ": 'prompt_tokens' or 'completion_tokens' is missing");
        const json metadata = row.value("metadata", json::object());
        const json none = json::object();
        const json &meta = metadata.is_object() ? metadata : none;
        e.team = text(meta, "user_api_key_team_alias");
        if (e.team.empty())
            e.team = text(row, "team_id");
        e.user = text(row, "user");
        if (e.user.empty())
            e.user = text(meta, "user_api_key_user_id");
        e.app = text(meta, "user_api_key_alias");
        if (auto tags = row.find("request_tags"); tags != row.end() && tags->is_array()) {
            for (const json &tag : *tags) {
                if (tag.is_string())
                    e.tags.push_back(tag.get<std::string>());
            }
        }
        e.requestedModel = text(row, "model_group");
        const std::string provider = text(row, "custom_llm_provider");
        const std::string model = text(row, "model");
        e.provider = provider;
        e.model = provider.empty() || model.rfind(provider + "/", 0) == 0 ? model : provider + "/" + model;
        // Cached tokens are inside prompt_tokens; LiteLLM keeps the provider's usage in metadata.usage_object.
        const std::int64_t prompt = count(row, "prompt_tokens");
        std::int64_t cached = 0, cacheWrite = 0;
        if (auto usage = meta.find("usage_object"); usage != meta.end() && usage->is_object()) {
            cached = count(*usage, "cache_read_input_tokens");
            if (auto details = usage->find("prompt_tokens_details"); details != usage->end() && details->is_object())
                cached = std::max(cached, count(*details, "cached_tokens"));
            cacheWrite = count(*usage, "cache_creation_input_tokens");
        }
        e.tokens.cachedInput = std::min(cached, prompt);
        e.tokens.cacheWrite = std::min(cacheWrite, prompt - e.tokens.cachedInput);
        e.tokens.input = prompt - e.tokens.cachedInput - e.tokens.cacheWrite;
        e.tokens.output = count(row, "completion_tokens");
        if (auto spend = row.find("spend"); spend != row.end() && spend->is_number()) {
            auto micro = JsonFields::microUsd(*spend, JsonFields::MoneyUnit::Dollars);
            if (!micro || *micro < 0 || *micro > 1'000'000'000'000'000)
                return malformed.error(where + ": 'spend' is not an amount");
            e.reportedCostMicro = *micro;
        }
        const Cost cost = pricing.cost(e.model, e.tokens, e.timeMs);
        e.costMicro = cost.microUsd;
        e.unpriced = cost.unpriced;
        const std::string status = text(row, "status");
        e.status = status == "failure" ? UsageStatus::Error : UsageStatus::Ok;
        events.push_back(std::move(e));
    }
    return events;
}

Result<SourcePage> LiteLlmSpendLogsConnector::fetch(const std::optional<std::string> &cursor)
{
    const std::int64_t window = m_options.window.count();
    const std::int64_t now = readClock(m_options.nowMs);
    std::int64_t windowStart = m_options.firstWindowMs != 0 ? m_options.firstWindowMs : now - 7LL * 86'400'000;
    windowStart -= windowStart % window;
    int pageNumber = 1;
    if (cursor) {
        auto slash = cursor->find('/');
        std::int64_t start = 0;
        int number = 0;
        const char *begin = cursor->data();
        auto [p1, e1] = std::from_chars(begin, begin + (slash == std::string::npos ? 0 : slash), start);
        auto [p2, e2] = slash == std::string::npos ? std::from_chars_result{nullptr, std::errc::invalid_argument}
                                                   : std::from_chars(begin + slash + 1, begin + cursor->size(), number);
        if (e1 != std::errc() || e2 != std::errc() || number < 1 || start % window != 0)
            return Error{"source.bad_cursor",
                         "The stored cursor '" + *cursor + "' of " + m_sourceName
                             + " is not a LiteLLM cursor; use \"Read again from the start\" on the Sources page",
                         false};
        (void)p1;
        (void)p2;
        windowStart = start;
        pageNumber = number;
    }
    SourcePage out;
    out.batch.source = m_sourceName;
    out.batch.sourceKind = "litellm";
    if (windowStart + window > now - m_options.closeLag.count()) {
        out.batch.cursor = cursor; // caught up: the next window is still open
        return out;
    }
    // LiteLLM compares second-granular bounds inclusively with millisecond start times: a window that ended
    // at HH:59:59 would never see a row at HH:59:59.5. Each window ends at the next one's first second; a
    // row at exactly that second is read twice and stored once (request_id).
    const std::string query =
        "?start_date=" + urlEncoded(utcText(windowStart)) + "&end_date=" + urlEncoded(utcText(windowStart + window))
        + "&page=" + std::to_string(pageNumber) + "&page_size=" + std::to_string(m_options.pageSize);
    HttpExchange exchange{"GET", m_baseUrl + m_path + query, {{"Authorization", "Bearer " + m_apiKey}}, {}};
    auto answer = m_http.send(exchange);
    if (!answer && m_path == "/spend/logs/v2"
        && (answer.error().code == "http.not_found"
            || answer.error().message.find("(HTTP 405)") != std::string::npos)) {
        m_path = "/spend/logs/ui"; // proxies older than /spend/logs/v2
        exchange.url = m_baseUrl + m_path + query;
        answer = m_http.send(exchange);
    }
    if (!answer)
        return LiteLlmErrors::explain(answer.error(), m_sourceName);
    int totalPages = 0;
    auto events = readPage(answer->body, m_pricing, m_sourceName, totalPages, pageNumber);
    if (!events)
        return events.error();
    out.batch.events = std::move(events.value());
    if (pageNumber < totalPages) {
        out.batch.cursor = std::to_string(windowStart) + "/" + std::to_string(pageNumber + 1);
        out.hasMore = true;
    } else {
        const std::int64_t next = windowStart + window;
        out.batch.cursor = std::to_string(next) + "/1";
        out.hasMore = next + window <= now - m_options.closeLag.count();
    }
    return out;
}

} // namespace rl

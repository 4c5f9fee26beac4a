#include "sources/routerusageconnector.h"

#include <nlohmann/json.hpp>

#include <charconv>

namespace rl {

using nlohmann::json;

namespace {

bool parseCursor(std::string_view text, std::int64_t &out)
{
    if (text.empty())
        return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && out >= 0;
}

class EventReader {
public:
    EventReader(const json &event, std::size_t index) : m_event(event), m_where("event " + std::to_string(index)) {}
    std::string problem;

    std::string text(const char *key, bool required)
    {
        auto it = m_event.find(key);
        if (it == m_event.end() || it->is_null()) {
            if (required)
                fail(key, "is missing");
            return {};
        }
        if (!it->is_string()) {
            fail(key, "is not a string");
            return {};
        }
        return it->get<std::string>();
    }
    std::int64_t integer(const char *key, bool required)
    {
        auto it = m_event.find(key);
        if (it == m_event.end() || it->is_null()) {
            if (required)
                fail(key, "is missing");
            return 0;
        }
        if (!it->is_number_integer() || it->get<std::int64_t>() < 0) {
            fail(key, "is not a whole number ≥ 0");
            return 0;
        }
        return it->get<std::int64_t>();
    }

private:
    void fail(const char *key, const char *what)
    {
        if (problem.empty())
            problem = m_where + ": '" + key + "' " + what;
    }
    const json &m_event;
    std::string m_where;
};

} // namespace

RouterUsageConnector::RouterUsageConnector(HttpClient &http, std::string sourceName, std::string baseUrl,
                                           std::string adminToken, std::size_t pageSize)
    : m_http(http), m_sourceName(std::move(sourceName)), m_baseUrl(std::move(baseUrl)),
      m_adminToken(std::move(adminToken)), m_pageSize(pageSize)
{
    while (!m_baseUrl.empty() && m_baseUrl.back() == '/')
        m_baseUrl.pop_back();
}

Result<SourcePage> RouterUsageConnector::fetch(const std::optional<std::string> &cursor)
{
    std::int64_t after = 0;
    if (cursor && !parseCursor(*cursor, after))
        return Error{"source.bad_cursor",
                     "The stored cursor '" + *cursor + "' of " + m_sourceName
                         + " is not a router cursor; reset the source to read it again",
                     false};
    HttpExchange exchange;
    exchange.url = m_baseUrl + "/admin/usage?after=" + std::to_string(after) + "&limit=" + std::to_string(m_pageSize);
    exchange.headers = {{"Authorization", "Bearer " + m_adminToken}, {"Accept", "application/json"}};
    auto answer = m_http.send(exchange);
    if (!answer)
        return answer.error();
    return parsePage(answer->body, m_sourceName, after);
}

Result<SourcePage> RouterUsageConnector::parsePage(std::string_view body, const std::string &sourceName,
                                                   std::int64_t after)
{
    auto malformed = [&](const std::string &what) {
        return Error{"source.malformed",
                     "The router " + sourceName + " sent a usage page that cannot be read: " + what
                         + ". Nothing from it was stored; is the URL a routeledger-router?",
                     true};
    };
    json page = json::parse(body.begin(), body.end(), nullptr, false);
    if (page.is_discarded())
        return malformed("it is not JSON (it starts with \"" + std::string(body.substr(0, 40)) + "\")");
    if (!page.is_object())
        return malformed("it is not a JSON object");
    auto events = page.find("events");
    auto next = page.find("next_cursor");
    auto more = page.find("has_more");
    if (events == page.end() || !events->is_array())
        return malformed("'events' is missing or not a list");
    if (next == page.end() || !next->is_string())
        return malformed("'next_cursor' is missing or not a string");
    if (more == page.end() || !more->is_boolean())
        return malformed("'has_more' is missing or not true/false");
    std::int64_t nextCursor = 0;
    if (!parseCursor(next->get_ref<const std::string &>(), nextCursor))
        return malformed("'next_cursor' is not a cursor");
    if (nextCursor < after)
        return Error{"source.cursor_backwards",
                     "The router " + sourceName + " answered with a cursor (" + std::to_string(nextCursor)
                         + ") before the one asked for (" + std::to_string(after)
                         + "): its ledger was replaced or reset. Nothing was stored; reset this source's cursor to "
                           "read the new ledger from the start",
                     false};
    if (events->empty() && more->get<bool>())
        return malformed("it holds no events but says there are more");

    SourcePage out;
    out.batch.source = sourceName;
    out.batch.sourceKind = "router";
    out.batch.events.reserve(events->size());
    std::int64_t previous = after;
    for (std::size_t i = 0; i < events->size(); ++i) {
        const json &item = (*events)[i];
        if (!item.is_object())
            return malformed("event " + std::to_string(i) + " is not an object");
        EventReader read(item, i);
        UsageEvent e;
        std::int64_t eventCursor = 0;
        const std::string cursorText = read.text("cursor", true);
        if (read.problem.empty() && (!parseCursor(cursorText, eventCursor) || eventCursor <= previous))
            return malformed("event " + std::to_string(i) + ": 'cursor' is not above the one before it");
        previous = eventCursor;
        e.requestId = read.text("request_id", true);
        e.timeMs = read.integer("time_ms", true);
        e.team = read.text("team", false);
        e.user = read.text("user", false);
        e.app = read.text("app", false);
        if (auto tags = item.find("tags"); tags != item.end() && tags->is_array()) {
            for (const json &tag : *tags) {
                if (tag.is_string())
                    e.tags.push_back(tag.get<std::string>());
            }
        }
        e.requestedModel = read.text("requested_model", false);
        e.model = read.text("model", false);
        e.provider = read.text("provider", false);
        e.tier = read.text("tier", false);
        if (auto rank = item.find("tier_rank"); rank != item.end() && rank->is_number_integer())
            e.tierRank = rank->get<int>();
        e.rule = read.text("rule", false);
        e.policyVersion = read.integer("policy_version", false);
        e.tokens.input = read.integer("input_tokens", true);
        e.tokens.cachedInput = read.integer("cached_input_tokens", false);
        e.tokens.cacheWrite = read.integer("cache_write_tokens", false);
        e.tokens.output = read.integer("output_tokens", true);
        e.tokens.reasoning = read.integer("reasoning_tokens", false);
        e.costMicro = read.integer("cost_micro_usd", true);
        e.reportedCostMicro = e.costMicro; // what the router billed, for reconciliation
        e.frontierCostMicro = read.integer("frontier_cost_micro_usd", false);
        if (auto unpriced = item.find("unpriced"); unpriced != item.end() && unpriced->is_boolean())
            e.unpriced = unpriced->get<bool>();
        e.latencyMs = read.integer("latency_ms", false);
        const std::string status = read.text("status", true);
        if (auto complexity = item.find("complexity"); complexity != item.end() && complexity->is_number())
            e.complexity = complexity->get<double>();
        e.task = read.text("task", false);
        if (!read.problem.empty())
            return malformed(read.problem);
        auto parsedStatus = usageStatusFromName(status);
        if (!parsedStatus)
            return malformed("event " + std::to_string(i) + ": unknown status '" + status + "'");
        e.status = *parsedStatus;
        if (e.requestId.empty())
            return malformed("event " + std::to_string(i) + ": 'request_id' is empty");
        out.batch.events.push_back(std::move(e));
    }
    if (!out.batch.events.empty() && previous != nextCursor)
        return malformed("'next_cursor' is not the last event's cursor");
    out.batch.cursor = std::to_string(nextCursor);
    out.hasMore = more->get<bool>();
    return out;
}

} // namespace rl

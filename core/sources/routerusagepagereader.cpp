#include "sources/routerusagepagereader.h"

#include "boundedjson.h"
#include "sources/malformedpage.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <optional>

namespace rl {

namespace {

using json = nlohmann::json;

bool parseCursor(std::string_view text, std::int64_t &out)
{
    if (text.empty())
        return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && out >= 0;
}

// The fields of an event, with what each must be.
enum class Field : unsigned {
    Cursor,
    RequestId,
    TimeMs,
    Team,
    User,
    App,
    Tags,
    RequestedModel,
    Model,
    Provider,
    Tier,
    TierRank,
    Rule,
    PolicyVersion,
    InputTokens,
    CachedInputTokens,
    CacheWriteTokens,
    OutputTokens,
    ReasoningTokens,
    CostMicroUsd,
    FrontierCostMicroUsd,
    Unpriced,
    Unmetered,
    LatencyMs,
    Status,
    Complexity,
    Task,
    Other
};

struct FieldName {
    const char *name;
    Field field;
};

constexpr FieldName kFields[] = {{"cursor", Field::Cursor},
                                 {"request_id", Field::RequestId},
                                 {"time_ms", Field::TimeMs},
                                 {"team", Field::Team},
                                 {"user", Field::User},
                                 {"app", Field::App},
                                 {"tags", Field::Tags},
                                 {"requested_model", Field::RequestedModel},
                                 {"model", Field::Model},
                                 {"provider", Field::Provider},
                                 {"tier", Field::Tier},
                                 {"tier_rank", Field::TierRank},
                                 {"rule", Field::Rule},
                                 {"policy_version", Field::PolicyVersion},
                                 {"input_tokens", Field::InputTokens},
                                 {"cached_input_tokens", Field::CachedInputTokens},
                                 {"cache_write_tokens", Field::CacheWriteTokens},
                                 {"output_tokens", Field::OutputTokens},
                                 {"reasoning_tokens", Field::ReasoningTokens},
                                 {"cost_micro_usd", Field::CostMicroUsd},
                                 {"frontier_cost_micro_usd", Field::FrontierCostMicroUsd},
                                 {"unpriced", Field::Unpriced},
                                 {"unmetered", Field::Unmetered},
                                 {"latency_ms", Field::LatencyMs},
                                 {"status", Field::Status},
                                 {"complexity", Field::Complexity},
                                 {"task", Field::Task}};

constexpr Field kRequired[] = {Field::Cursor,       Field::RequestId,    Field::TimeMs, Field::InputTokens,
                               Field::OutputTokens, Field::CostMicroUsd, Field::Status};

Field fieldOf(std::string_view key)
{
    for (const FieldName &entry : kFields) {
        if (key == entry.name)
            return entry.field;
    }
    return Field::Other;
}

const char *nameOf(Field field)
{
    for (const FieldName &entry : kFields) {
        if (entry.field == field)
            return entry.name;
    }
    return "?";
}

class PageHandler : public nlohmann::json_sax<json> {
public:
    std::vector<UsageEvent> events;
    std::vector<std::int64_t> cursors;
    std::optional<std::string> nextCursor;
    std::optional<bool> hasMore;
    bool sawEvents = false;
    bool rootIsObject = false;
    std::string problem;

    bool null() override { return value(Kind::Null, 0, 0, {}); }
    bool boolean(bool v) override { return value(Kind::Bool, v ? 1 : 0, 0, {}); }
    bool number_integer(number_integer_t v) override { return value(Kind::Negative, v, 0, {}); }
    bool number_unsigned(number_unsigned_t v) override
    {
        return v > static_cast<number_unsigned_t>(INT64_MAX) ? fail("a number is too large")
                                                             : value(Kind::Whole, static_cast<std::int64_t>(v), 0, {});
    }
    bool number_float(number_float_t v, const string_t &) override { return value(Kind::Fraction, 0, v, {}); }
    bool string(string_t &v) override { return value(Kind::Text, 0, 0, v); }
    bool binary(binary_t &) override { return fail("binary data"); }

    bool start_object(std::size_t) override
    {
        if (++m_depth > JsonLimits::kDefaultMaxDepth)
            return tooDeep();
        if (m_depth == 1)
            rootIsObject = true;
        else if (m_depth == 3 && m_inEvents) {
            m_event = UsageEvent{};
            m_seen = 0;
            m_cursor = -1;
            m_status.clear();
        } else if (m_depth == 2 && m_topKey == "events")
            return fail("'events' is missing or not a list");
        else if (m_depth == 3 && m_topKey == "events")
            return fail("event " + std::to_string(events.size()) + " is not an object");
        return true;
    }
    bool key(string_t &k) override
    {
        if (m_depth == 1)
            m_topKey = k;
        else if (m_depth == 3 && m_inEvents)
            m_field = fieldOf(k);
        return true;
    }
    bool end_object() override
    {
        if (m_depth == 3 && m_inEvents && !finishEvent())
            return false;
        --m_depth;
        return true;
    }
    bool start_array(std::size_t) override
    {
        if (++m_depth > JsonLimits::kDefaultMaxDepth)
            return tooDeep();
        if (m_depth == 2 && m_topKey == "events") {
            m_inEvents = true;
            sawEvents = true;
        } else if (m_depth == 1) {
            return true; // the root is not an object: reported after the parse
        }
        return true;
    }
    bool end_array() override
    {
        if (m_depth == 2 && m_inEvents)
            m_inEvents = false;
        --m_depth;
        return true;
    }
    bool parse_error(std::size_t position, const std::string &, const nlohmann::detail::exception &) override
    {
        if (problem.empty())
            problem = "it is not JSON (broken at byte " + std::to_string(position) + ")";
        return false;
    }

private:
    enum class Kind { Null, Bool, Negative, Whole, Fraction, Text };

    bool tooDeep() { return fail("it nests deeper than " + std::to_string(JsonLimits::kDefaultMaxDepth) + " levels"); }
    bool fail(const std::string &what)
    {
        if (problem.empty())
            problem = what;
        return false;
    }
    bool eventFail(const char *field, const char *what)
    {
        return fail("event " + std::to_string(events.size()) + ": '" + field + "' " + what);
    }

    bool value(Kind kind, std::int64_t whole, double fraction, const std::string &text)
    {
        if (m_depth == 1) { // a top-level value
            if (m_topKey == "next_cursor") {
                if (kind != Kind::Text)
                    return fail("'next_cursor' is missing or not a string");
                nextCursor = text;
            } else if (m_topKey == "has_more") {
                if (kind != Kind::Bool)
                    return fail("'has_more' is missing or not true/false");
                hasMore = whole != 0;
            } else if (m_topKey == "events") {
                return fail("'events' is missing or not a list");
            }
            return true;
        }
        if (m_depth == 2 && m_inEvents)
            return fail("event " + std::to_string(events.size()) + " is not an object");
        if (m_depth == 4 && m_inEvents && m_field == Field::Tags) {
            if (kind == Kind::Text)
                m_event.tags.push_back(text);
            return true;
        }
        if (m_depth != 3 || !m_inEvents)
            return true; // attempts and anything nested: not needed for the store
        const Field field = m_field;
        if (field == Field::Other)
            return true;
        if (kind == Kind::Null) {
            return true; // treated as absent; required fields are checked at the end of the event
        }
        m_seen |= 1u << static_cast<unsigned>(field);
        auto needText = [&](std::string &out) {
            if (kind != Kind::Text)
                return eventFail(nameOf(field), "is not a string");
            out = text;
            return true;
        };
        auto needWhole = [&](std::int64_t &out) {
            if (kind != Kind::Whole)
                return eventFail(nameOf(field), "is not a whole number ≥ 0");
            out = whole;
            return true;
        };
        switch (field) {
        case Field::Cursor: {
            std::string cursor;
            if (!needText(cursor))
                return false;
            if (!parseCursor(cursor, m_cursor))
                return eventFail("cursor", "is not a cursor");
            return true;
        }
        case Field::RequestId: return needText(m_event.requestId);
        case Field::TimeMs: return needWhole(m_event.timeMs);
        case Field::Team: return needText(m_event.team);
        case Field::User: return needText(m_event.user);
        case Field::App: return needText(m_event.app);
        case Field::Tags: return eventFail("tags", "is not a list");
        case Field::RequestedModel: return needText(m_event.requestedModel);
        case Field::Model: return needText(m_event.model);
        case Field::Provider: return needText(m_event.provider);
        case Field::Tier: return needText(m_event.tier);
        case Field::TierRank:
            if (kind != Kind::Whole && kind != Kind::Negative)
                return eventFail("tier_rank", "is not a whole number");
            m_event.tierRank = static_cast<int>(whole);
            return true;
        case Field::Rule: return needText(m_event.rule);
        case Field::PolicyVersion: return needWhole(m_event.policyVersion);
        case Field::InputTokens: return needWhole(m_event.tokens.input);
        case Field::CachedInputTokens: return needWhole(m_event.tokens.cachedInput);
        case Field::CacheWriteTokens: return needWhole(m_event.tokens.cacheWrite);
        case Field::OutputTokens: return needWhole(m_event.tokens.output);
        case Field::ReasoningTokens: return needWhole(m_event.tokens.reasoning);
        case Field::CostMicroUsd: return needWhole(m_event.costMicro);
        case Field::FrontierCostMicroUsd: return needWhole(m_event.frontierCostMicro);
        case Field::Unpriced:
            if (kind != Kind::Bool)
                return eventFail("unpriced", "is not true/false");
            m_event.unpriced = whole != 0;
            return true;
        case Field::Unmetered: // routers before this field was added never send it
            if (kind != Kind::Bool)
                return eventFail("unmetered", "is not true/false");
            m_event.unmetered = whole != 0;
            return true;
        case Field::LatencyMs: return needWhole(m_event.latencyMs);
        case Field::Status: return needText(m_status);
        case Field::Complexity:
            if (kind == Kind::Fraction)
                m_event.complexity = fraction;
            else if (kind == Kind::Whole)
                m_event.complexity = static_cast<double>(whole);
            else
                return eventFail("complexity", "is not a number");
            return true;
        case Field::Task: return needText(m_event.task);
        case Field::Other: return true;
        }
        return true;
    }

    bool finishEvent()
    {
        for (Field field : kRequired) {
            if ((m_seen & (1u << static_cast<unsigned>(field))) == 0)
                return eventFail(nameOf(field), "is missing");
        }
        auto status = usageStatusFromName(m_status);
        if (!status)
            return fail("event " + std::to_string(events.size()) + ": unknown status '" + m_status + "'");
        if (m_event.requestId.empty())
            return eventFail("request_id", "is empty");
        m_event.status = *status;
        m_event.reportedCostMicro = m_event.costMicro; // what the router billed, for reconciliation
        cursors.push_back(m_cursor);
        events.push_back(std::move(m_event));
        return true;
    }

    int m_depth = 0;
    std::string m_topKey;
    bool m_inEvents = false;
    Field m_field = Field::Other;
    UsageEvent m_event;
    unsigned m_seen = 0;
    std::int64_t m_cursor = -1;
    std::string m_status;
};

} // namespace

Result<SourcePage> RouterUsagePageReader::read(std::string_view body, const std::string &sourceName, std::int64_t after)
{
    const MalformedPage malformed{"Router usage", sourceName, "/admin/usage", "a routeledger-router"};
    PageHandler handler;
    const bool parsed = json::sax_parse(body.begin(), body.end(), &handler);
    if (!handler.problem.empty())
        return malformed.error(handler.problem);
    if (!parsed)
        return malformed.error("it is not JSON");
    if (!handler.rootIsObject)
        return malformed.error("it is not a JSON object");
    if (!handler.sawEvents)
        return malformed.error("'events' is missing or not a list");
    if (!handler.nextCursor)
        return malformed.error("'next_cursor' is missing or not a string");
    if (!handler.hasMore)
        return malformed.error("'has_more' is missing or not true/false");
    std::int64_t nextCursor = 0;
    if (!parseCursor(*handler.nextCursor, nextCursor))
        return malformed.error("'next_cursor' is not a cursor");
    if (nextCursor < after)
        return Error{"source.cursor_backwards",
                     "The router " + sourceName + " answered with a cursor (" + std::to_string(nextCursor)
                         + ") before the one asked for (" + std::to_string(after)
                         + "): its ledger was replaced or reset. Nothing was stored; reset this source's cursor to "
                           "read the new ledger from the start",
                     false};
    if (handler.events.empty() && *handler.hasMore)
        return malformed.error("it holds no events but says there are more");
    std::int64_t previous = after;
    for (std::size_t i = 0; i < handler.cursors.size(); ++i) {
        if (handler.cursors[i] <= previous)
            return malformed.error("event " + std::to_string(i) + ": 'cursor' is not above the one before it");
        previous = handler.cursors[i];
    }
    if (!handler.events.empty() && previous != nextCursor)
        return malformed.error("'next_cursor' is not the last event's cursor");
    SourcePage out;
    out.batch.source = sourceName;
    out.batch.sourceKind = "router";
    out.batch.events = std::move(handler.events);
    out.batch.cursor = std::to_string(nextCursor);
    out.hasMore = *handler.hasMore;
    return out;
}

} // namespace rl

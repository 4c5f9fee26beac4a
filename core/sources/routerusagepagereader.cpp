#include "sources/routerusagepagereader.h"

#include "boundedjson.h"
#include "sources/malformedpage.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <optional>
#include <utility>

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
    // What a replay needs (routers since ledger schema 3); absent from older routers' pages.
    HasTools,
    HasImages,
    Stream,
    RoutedInputTokens,
    BudgetUsed,
    PromptChecks,
    RoutedModel,
    // The shadow policy's decision: all of them or none (no shadow policy).
    ShadowPolicyVersion,
    ShadowTier,
    ShadowModel,
    ShadowRule,
    ShadowBlocked,
    ShadowCostMicroUsd,
    // An escalation: the earlier request this one asks again (absent when none, and from older routers).
    EscalationOf,
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
                                 {"task", Field::Task},
                                 {"has_tools", Field::HasTools},
                                 {"has_images", Field::HasImages},
                                 {"stream", Field::Stream},
                                 {"routed_input_tokens", Field::RoutedInputTokens},
                                 {"budget_used", Field::BudgetUsed},
                                 {"prompt_checks", Field::PromptChecks},
                                 {"routed_model", Field::RoutedModel},
                                 {"shadow_policy_version", Field::ShadowPolicyVersion},
                                 {"shadow_tier", Field::ShadowTier},
                                 {"shadow_model", Field::ShadowModel},
                                 {"shadow_rule", Field::ShadowRule},
                                 {"shadow_blocked", Field::ShadowBlocked},
                                 {"shadow_cost_micro_usd", Field::ShadowCostMicroUsd},
                                 {"escalation_of", Field::EscalationOf}};

constexpr Field kRequired[] = {Field::Cursor,       Field::RequestId,    Field::TimeMs, Field::InputTokens,
                               Field::OutputTokens, Field::CostMicroUsd, Field::Status};
constexpr Field kShadowFields[] = {Field::ShadowPolicyVersion, Field::ShadowTier,    Field::ShadowModel,
                                   Field::ShadowRule,          Field::ShadowBlocked, Field::ShadowCostMicroUsd};

// More prompt conditions than any policy a router accepts has; a page claiming more is not a router's.
constexpr std::size_t kMaxPromptChecks = 100'000;

// The fields of a feedback (routers since ledger schema 3, when asked with feedback_after).
enum class FeedbackField : unsigned { Cursor, RequestId, TimeMs, Score, Thumbs, Comment, Other };

constexpr std::pair<const char *, FeedbackField> kFeedbackFields[] = {
    {"cursor", FeedbackField::Cursor}, {"request_id", FeedbackField::RequestId}, {"time_ms", FeedbackField::TimeMs},
    {"score", FeedbackField::Score},   {"thumbs", FeedbackField::Thumbs},        {"comment", FeedbackField::Comment}};

FeedbackField feedbackFieldOf(std::string_view key)
{
    for (const auto &[name, field] : kFeedbackFields) {
        if (key == name)
            return field;
    }
    return FeedbackField::Other;
}

const char *feedbackNameOf(FeedbackField field)
{
    for (const auto &[name, value] : kFeedbackFields) {
        if (value == field)
            return name;
    }
    return "?";
}

std::uint64_t bit(Field field)
{
    return std::uint64_t(1) << static_cast<unsigned>(field);
}

// PromptChecks::key(): 16 lower-case hex digits.
bool isPromptCheckKey(std::string_view key)
{
    if (key.size() != 16)
        return false;
    for (char c : key) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

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
    // The feedback part: all three or none (an older router, or a page asked without feedback_after).
    std::vector<FeedbackRecord> feedback;
    std::vector<std::int64_t> feedbackCursors;
    std::optional<std::string> nextFeedbackCursor;
    std::optional<bool> feedbackHasMore;
    bool sawFeedback = false;
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
            m_shadow = ShadowOutcome{};
            m_seen = 0;
            m_cursor = -1;
            m_status.clear();
        } else if (m_depth == 4 && m_inEvents && m_field == Field::PromptChecks) {
            m_inChecks = true;
            m_seen |= bit(Field::PromptChecks);
            m_event.features.promptChecks.emplace();
        } else if (m_depth == 5 && m_inChecks)
            return eventFail("prompt_checks", "holds a value that is not true/false");
        else if (m_depth == 3 && m_inFeedback) {
            m_feedback = FeedbackRecord{};
            m_feedbackSeen = 0;
            m_feedbackCursor = -1;
        } else if (m_depth == 4 && m_inFeedback && m_feedbackField != FeedbackField::Other)
            return feedbackFail(feedbackNameOf(m_feedbackField), "is not a single value");
        else if (m_depth == 2 && m_topKey == "feedback")
            return fail("'feedback' is not a list");
        else if (m_depth == 2 && m_topKey == "events")
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
        else if (m_depth == 3 && m_inFeedback)
            m_feedbackField = feedbackFieldOf(k);
        else if (m_depth == 4 && m_inChecks) {
            if (!isPromptCheckKey(k))
                return eventFail("prompt_checks", "has a key that is not a prompt check's (16 hex digits)");
            if (m_event.features.promptChecks->size() == kMaxPromptChecks)
                return fail("event " + std::to_string(events.size()) + ": 'prompt_checks' holds more than "
                            + std::to_string(kMaxPromptChecks) + " checks");
            m_checkKey = k;
        }
        return true;
    }
    bool end_object() override
    {
        if (m_depth == 3 && m_inEvents && !finishEvent())
            return false;
        if (m_depth == 3 && m_inFeedback && !finishFeedback())
            return false;
        if (m_depth == 4 && m_inChecks)
            m_inChecks = false;
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
        } else if (m_depth == 2 && m_topKey == "feedback") {
            m_inFeedback = true;
            sawFeedback = true;
        } else if (m_depth == 3 && m_inFeedback) {
            return fail("feedback " + std::to_string(feedback.size()) + " is not an object");
        } else if (m_depth == 4 && m_inFeedback && m_feedbackField != FeedbackField::Other) {
            return feedbackFail(feedbackNameOf(m_feedbackField), "is not a single value");
        } else if (m_depth == 4 && m_inEvents && m_field == Field::PromptChecks) {
            return eventFail("prompt_checks", "is not an object");
        } else if (m_depth == 5 && m_inChecks) {
            return eventFail("prompt_checks", "holds a value that is not true/false");
        } else if (m_depth == 1) {
            return true; // the root is not an object: reported after the parse
        }
        return true;
    }
    bool end_array() override
    {
        if (m_depth == 2 && m_inEvents)
            m_inEvents = false;
        if (m_depth == 2 && m_inFeedback)
            m_inFeedback = false;
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
    bool feedbackFail(const char *field, const char *what)
    {
        return fail("feedback " + std::to_string(feedback.size()) + ": '" + field + "' " + what);
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
            } else if (m_topKey == "next_feedback_cursor") {
                if (kind != Kind::Text)
                    return fail("'next_feedback_cursor' is not a string");
                nextFeedbackCursor = text;
            } else if (m_topKey == "feedback_has_more") {
                if (kind != Kind::Bool)
                    return fail("'feedback_has_more' is not true/false");
                feedbackHasMore = whole != 0;
            } else if (m_topKey == "feedback") {
                return fail("'feedback' is not a list");
            }
            return true;
        }
        if (m_depth == 2 && m_inEvents)
            return fail("event " + std::to_string(events.size()) + " is not an object");
        if (m_depth == 2 && m_inFeedback)
            return fail("feedback " + std::to_string(feedback.size()) + " is not an object");
        if (m_depth == 3 && m_inFeedback)
            return feedbackValue(kind, whole, fraction, text);
        if (m_depth == 4 && m_inChecks) {
            if (kind != Kind::Bool)
                return eventFail("prompt_checks", "holds a value that is not true/false");
            m_event.features.promptChecks->push_back({m_checkKey, whole != 0});
            return true;
        }
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
        m_seen |= bit(field);
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
        auto needBool = [&](bool &out) {
            if (kind != Kind::Bool)
                return eventFail(nameOf(field), "is not true/false");
            out = whole != 0;
            return true;
        };
        auto needFlag = [&](std::optional<bool> &out) {
            bool value = false;
            if (!needBool(value))
                return false;
            out = value;
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
        case Field::HasTools: return needFlag(m_event.features.hasTools);
        case Field::HasImages: return needFlag(m_event.features.hasImages);
        case Field::Stream: return needFlag(m_event.features.stream);
        case Field::RoutedInputTokens: {
            std::int64_t tokens = 0;
            if (!needWhole(tokens))
                return false;
            m_event.features.inputTokens = tokens;
            return true;
        }
        case Field::BudgetUsed:
            // A fraction of a budget: 0 or more (over 1 when a team is over budget).
            if (kind == Kind::Fraction && fraction >= 0)
                m_event.features.budgetUsed = fraction;
            else if (kind == Kind::Whole)
                m_event.features.budgetUsed = static_cast<double>(whole);
            else
                return eventFail("budget_used", "is not a number ≥ 0");
            return true;
        case Field::PromptChecks: return eventFail("prompt_checks", "is not an object");
        case Field::RoutedModel: return needText(m_event.routedModel);
        case Field::ShadowPolicyVersion: return needWhole(m_shadow.policyVersion);
        case Field::ShadowTier: return needText(m_shadow.tier);
        case Field::ShadowModel: return needText(m_shadow.model);
        case Field::ShadowRule: return needText(m_shadow.rule);
        case Field::ShadowBlocked: return needBool(m_shadow.blocked);
        case Field::ShadowCostMicroUsd: return needWhole(m_shadow.costMicro);
        case Field::EscalationOf: return needText(m_event.escalationOf);
        case Field::Other: return true;
        }
        return true;
    }

    bool feedbackValue(Kind kind, std::int64_t whole, double fraction, const std::string &text)
    {
        const FeedbackField field = m_feedbackField;
        if (field == FeedbackField::Other || kind == Kind::Null)
            return true; // a later router's addition, or absent
        m_feedbackSeen |= 1u << static_cast<unsigned>(field);
        switch (field) {
        case FeedbackField::Cursor:
            if (kind != Kind::Text || !parseCursor(text, m_feedbackCursor))
                return feedbackFail("cursor", "is not a cursor (a whole number in a string)");
            return true;
        case FeedbackField::RequestId:
            if (kind != Kind::Text)
                return feedbackFail("request_id", "is not a string");
            m_feedback.requestId = text;
            return true;
        case FeedbackField::TimeMs:
            if (kind != Kind::Whole)
                return feedbackFail("time_ms", "is not a whole number ≥ 0");
            m_feedback.timeMs = whole;
            return true;
        case FeedbackField::Score: {
            const double score = kind == Kind::Fraction ? fraction : static_cast<double>(whole);
            if ((kind != Kind::Fraction && kind != Kind::Whole) || !(score >= 0.0 && score <= 1.0))
                return feedbackFail("score", "is not a number from 0 to 1");
            m_feedback.score = score;
            return true;
        }
        case FeedbackField::Thumbs:
            if (kind != Kind::Text || (text != "up" && text != "down"))
                return feedbackFail("thumbs", "is not \"up\" or \"down\"");
            m_feedback.thumbsUp = text == "up";
            return true;
        case FeedbackField::Comment:
            if (kind != Kind::Text)
                return feedbackFail("comment", "is not a string");
            m_feedback.comment = text;
            return true;
        case FeedbackField::Other: return true;
        }
        return true;
    }

    bool finishFeedback()
    {
        for (FeedbackField field :
             {FeedbackField::Cursor, FeedbackField::RequestId, FeedbackField::TimeMs, FeedbackField::Score}) {
            if ((m_feedbackSeen & (1u << static_cast<unsigned>(field))) == 0)
                return feedbackFail(feedbackNameOf(field), "is missing");
        }
        if (m_feedback.requestId.empty())
            return feedbackFail("request_id", "is empty");
        feedbackCursors.push_back(m_feedbackCursor);
        feedback.push_back(std::move(m_feedback));
        return true;
    }

    bool finishEvent()
    {
        for (Field field : kRequired) {
            if ((m_seen & bit(field)) == 0)
                return eventFail(nameOf(field), "is missing");
        }
        // A router with a shadow policy writes all of its fields; a page with some of them is not a router's.
        bool anyShadow = false;
        for (Field field : kShadowFields)
            anyShadow = anyShadow || (m_seen & bit(field)) != 0;
        if (anyShadow) {
            for (Field field : kShadowFields) {
                if ((m_seen & bit(field)) == 0)
                    return eventFail(nameOf(field), "is missing (the event has other shadow_ fields)");
            }
            m_event.shadow = std::move(m_shadow);
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
    ShadowOutcome m_shadow;
    bool m_inChecks = false;
    std::string m_checkKey;
    std::uint64_t m_seen = 0;
    std::int64_t m_cursor = -1;
    std::string m_status;
    bool m_inFeedback = false;
    FeedbackField m_feedbackField = FeedbackField::Other;
    FeedbackRecord m_feedback;
    unsigned m_feedbackSeen = 0;
    std::int64_t m_feedbackCursor = -1;
};

} // namespace

std::optional<RouterUsagePageReader::Cursor> RouterUsagePageReader::Cursor::parse(std::string_view text)
{
    Cursor cursor;
    const auto colon = text.find(':');
    if (!parseCursor(text.substr(0, colon), cursor.events))
        return std::nullopt;
    if (colon != std::string_view::npos && !parseCursor(text.substr(colon + 1), cursor.feedback))
        return std::nullopt;
    return cursor;
}

std::string RouterUsagePageReader::Cursor::text() const
{
    // Without feedback read yet, the form every router cursor had before feedback: an older app can still read it.
    return feedback == 0 ? std::to_string(events) : std::to_string(events) + ":" + std::to_string(feedback);
}

Result<SourcePage> RouterUsagePageReader::read(std::string_view body, const std::string &sourceName, std::int64_t after)
{
    return read(body, sourceName, Cursor{after, 0});
}

Result<SourcePage> RouterUsagePageReader::read(std::string_view body, const std::string &sourceName,
                                               const Cursor &cursor)
{
    const std::int64_t after = cursor.events;
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
    Cursor next{nextCursor, cursor.feedback};
    bool feedbackHasMore = false;
    const int feedbackKeys =
        (handler.sawFeedback ? 1 : 0) + (handler.nextFeedbackCursor ? 1 : 0) + (handler.feedbackHasMore ? 1 : 0);
    if (feedbackKeys != 0) {
        // A router that sends feedback sends the list, its cursor and whether there is more, together.
        if (!handler.sawFeedback)
            return malformed.error("'feedback' is missing or not a list (the page has next_feedback_cursor or "
                                   "feedback_has_more)");
        if (!handler.nextFeedbackCursor)
            return malformed.error("'next_feedback_cursor' is missing (the page has feedback)");
        if (!handler.feedbackHasMore)
            return malformed.error("'feedback_has_more' is missing (the page has feedback)");
        if (!parseCursor(*handler.nextFeedbackCursor, next.feedback))
            return malformed.error("'next_feedback_cursor' is not a cursor");
        if (next.feedback < cursor.feedback)
            return Error{"source.cursor_backwards",
                         "The router " + sourceName + " answered with a feedback cursor ("
                             + std::to_string(next.feedback) + ") before the one asked for ("
                             + std::to_string(cursor.feedback)
                             + "): its ledger was replaced or reset. Nothing was stored; reset this source's cursor "
                               "to read the new ledger from the start",
                         false};
        if (handler.feedback.empty() && *handler.feedbackHasMore)
            return malformed.error("it holds no feedback but says there is more");
        std::int64_t previousFeedback = cursor.feedback;
        for (std::size_t i = 0; i < handler.feedbackCursors.size(); ++i) {
            if (handler.feedbackCursors[i] <= previousFeedback)
                return malformed.error("feedback " + std::to_string(i) + ": 'cursor' is not above the one before it");
            previousFeedback = handler.feedbackCursors[i];
        }
        if (!handler.feedback.empty() && previousFeedback != next.feedback)
            return malformed.error("'next_feedback_cursor' is not the last feedback's cursor");
        feedbackHasMore = *handler.feedbackHasMore;
    }
    out.batch.source = sourceName;
    out.batch.sourceKind = "router";
    out.batch.events = std::move(handler.events);
    out.batch.feedback = std::move(handler.feedback);
    out.batch.cursor = next.text();
    out.hasMore = *handler.hasMore || feedbackHasMore;
    return out;
}

} // namespace rl

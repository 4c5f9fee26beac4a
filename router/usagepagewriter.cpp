#include "usagepagewriter.h"

#include "textfile.h"

#include <cstdio>

namespace rl {

namespace {

void key(std::string &out, const char *name)
{
    out += '"';
    out += name;
    out += "\":";
}

void number(std::string &out, const char *name, std::int64_t value)
{
    key(out, name);
    out += std::to_string(value);
    out += ',';
}

void text(std::string &out, const char *name, std::string_view value)
{
    key(out, name);
    UsagePageWriter::appendString(out, value);
    out += ',';
}

void flag(std::string &out, const char *name, bool value)
{
    key(out, name);
    out += value ? "true," : "false,";
}

void real(std::string &out, const char *name, double value)
{
    key(out, name);
    char digits[32];
    std::snprintf(digits, sizeof digits, "%.17g", value);
    out += digits;
    out += ',';
}

// What a replay needs (issue 14), and the shadow policy's decision. A key is left out when the ledger does not
// know it (an event written before ledger schema 3, no shadow policy), the way an older router's page reads.
void appendReplayFields(std::string &out, const UsageEvent &u)
{
    const RoutingFeatures &f = u.features;
    if (f.hasTools)
        flag(out, "has_tools", *f.hasTools);
    if (f.hasImages)
        flag(out, "has_images", *f.hasImages);
    if (f.inputTokens)
        number(out, "routed_input_tokens", *f.inputTokens);
    if (f.budgetUsed)
        real(out, "budget_used", *f.budgetUsed);
    if (f.promptChecks) {
        key(out, "prompt_checks");
        out += '{';
        for (std::size_t i = 0; i < f.promptChecks->size(); ++i) {
            const PromptCheck &check = (*f.promptChecks)[i];
            if (i > 0)
                out += ',';
            UsagePageWriter::appendString(out, check.key);
            out += check.held ? ":true" : ":false";
        }
        out += "},";
    }
    if (!u.routedModel.empty())
        text(out, "routed_model", u.routedModel);
    if (!u.escalationOf.empty())
        text(out, "escalation_of", u.escalationOf);
    if (u.shadow) {
        const ShadowOutcome &shadow = *u.shadow;
        number(out, "shadow_policy_version", shadow.policyVersion);
        text(out, "shadow_tier", shadow.tier);
        text(out, "shadow_model", shadow.model);
        text(out, "shadow_rule", shadow.rule);
        flag(out, "shadow_blocked", shadow.blocked);
        number(out, "shadow_cost_micro_usd", shadow.costMicro);
    }
}

} // namespace

void UsagePageWriter::appendString(std::string &out, std::string_view value)
{
    out += '"';
    for (std::size_t i = 0; i < value.size();) {
        const char c = value[i];
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
            ++i;
        } else if (u < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", u);
            out += escaped;
            ++i;
        } else if (u < 0x80) {
            out += c;
            ++i;
        } else if (std::size_t length = utf8SequenceLength(value, i); length > 0) {
            out.append(value.substr(i, length));
            i += length;
        } else {
            out += "\xEF\xBF\xBD"; // U+FFFD for a byte that is not UTF-8
            ++i;
        }
    }
    out += '"';
}

void UsagePageWriter::appendEvent(std::string &out, const LedgerEvent &event)
{
    const UsageEvent &u = event.usage;
    out += '{';
    text(out, "cursor", std::to_string(event.cursor));
    text(out, "request_id", u.requestId);
    number(out, "time_ms", u.timeMs);
    text(out, "team", u.team);
    text(out, "user", u.user);
    text(out, "app", u.app);
    key(out, "tags");
    out += '[';
    for (std::size_t i = 0; i < u.tags.size(); ++i) {
        if (i > 0)
            out += ',';
        appendString(out, u.tags[i]);
    }
    out += "],";
    text(out, "requested_model", u.requestedModel);
    text(out, "model", u.model);
    text(out, "provider", u.provider);
    text(out, "tier", u.tier);
    number(out, "tier_rank", u.tierRank);
    text(out, "rule", u.rule);
    number(out, "policy_version", u.policyVersion);
    number(out, "input_tokens", u.tokens.input);
    number(out, "cached_input_tokens", u.tokens.cachedInput);
    number(out, "cache_write_tokens", u.tokens.cacheWrite);
    number(out, "output_tokens", u.tokens.output);
    number(out, "reasoning_tokens", u.tokens.reasoning);
    number(out, "cost_micro_usd", u.costMicro);
    number(out, "frontier_cost_micro_usd", u.frontierCostMicro);
    key(out, "unpriced");
    out += u.unpriced ? "true," : "false,";
    key(out, "unmetered");
    out += u.unmetered ? "true," : "false,";
    number(out, "latency_ms", u.latencyMs);
    number(out, "first_byte_ms", event.firstByteMs);
    text(out, "status", usageStatusName(u.status));
    number(out, "http_status", event.httpStatus);
    key(out, "stream");
    out += event.stream ? "true," : "false,";
    key(out, "complexity");
    if (u.complexity) {
        char value[32];
        std::snprintf(value, sizeof value, "%.17g", *u.complexity);
        out += value;
    } else {
        out += "null";
    }
    out += ',';
    text(out, "task", u.task);
    appendReplayFields(out, u);
    key(out, "attempts");
    out += '[';
    for (std::size_t i = 0; i < event.attempts.size(); ++i) {
        const UpstreamAttempt &attempt = event.attempts[i];
        out += i > 0 ? ",{" : "{";
        text(out, "model", attempt.model);
        text(out, "outcome", attempt.outcome);
        number(out, "http_status", attempt.httpStatus);
        key(out, "latency_ms");
        out += std::to_string(attempt.latencyMs);
        out += '}';
    }
    out += "],";
    key(out, "error");
    appendString(out, event.error);
    out += '}';
}

std::string UsagePageWriter::write(const LedgerPage &page)
{
    std::string out;
    out.reserve(64 + page.events.size() * 900);
    out += "{\"events\":[";
    for (std::size_t i = 0; i < page.events.size(); ++i) {
        if (i > 0)
            out += ',';
        appendEvent(out, page.events[i]);
    }
    out += "],\"next_cursor\":\"";
    out += std::to_string(page.nextCursor);
    out += "\",\"has_more\":";
    out += page.hasMore ? "true" : "false";
    if (page.feedback) {
        const FeedbackPage &feedback = *page.feedback;
        out += ",\"feedback\":[";
        for (std::size_t i = 0; i < feedback.feedback.size(); ++i) {
            if (i > 0)
                out += ',';
            appendFeedback(out, feedback.feedback[i]);
        }
        out += "],\"next_feedback_cursor\":\"";
        out += std::to_string(feedback.nextCursor);
        out += "\",\"feedback_has_more\":";
        out += feedback.hasMore ? "true" : "false";
    }
    out += '}';
    return out;
}

void UsagePageWriter::appendFeedback(std::string &out, const LedgerFeedback &feedback)
{
    const FeedbackRecord &f = feedback.record;
    out += '{';
    text(out, "cursor", std::to_string(feedback.cursor));
    text(out, "request_id", f.requestId);
    number(out, "time_ms", f.timeMs);
    real(out, "score", f.score);
    if (f.thumbsUp)
        text(out, "thumbs", *f.thumbsUp ? "up" : "down");
    key(out, "comment");
    appendString(out, f.comment);
    out += '}';
}

} // namespace rl

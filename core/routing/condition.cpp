#include "routing/condition.h"

#include "routing/routerequest.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace rl {

namespace {

struct FieldInfo {
    Field field;
    std::string_view name;
    FieldKind kind;
};

constexpr std::array<FieldInfo, 14> kFields = {{
    {Field::Team, "team", FieldKind::Text},
    {Field::User, "user", FieldKind::Text},
    {Field::App, "app", FieldKind::Text},
    {Field::Tag, "tag", FieldKind::TextSet},
    {Field::Task, "task", FieldKind::Text},
    {Field::RequestedModel, "requested_model", FieldKind::Text},
    {Field::InputTokens, "input_tokens", FieldKind::Number},
    {Field::Complexity, "complexity", FieldKind::Number},
    {Field::HasTools, "has_tools", FieldKind::Boolean},
    {Field::HasImages, "has_images", FieldKind::Boolean},
    {Field::Stream, "stream", FieldKind::Boolean},
    {Field::Prompt, "prompt", FieldKind::Prompt},
    {Field::HourUtc, "hour_utc", FieldKind::Number},
    {Field::Weekday, "weekday", FieldKind::Number},
}};

constexpr std::array<std::string_view, 11> kOpNames = {"eq", "ne",  "in",      "not_in",  "lt",      "lte",
                                                       "gt", "gte", "between", "matches", "contains"};
constexpr std::array<std::string_view, 11> kOpSymbols = {"=", "≠", "in",      "not in",  "<",       "≤",
                                                         ">", "≥", "between", "matches", "contains"};

constexpr std::array<std::string_view, 7> kWeekdays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::string_view requestText(Field field, const EvalContext &c)
{
    switch (field) {
    case Field::Team: return c.request.team;
    case Field::User: return c.request.user;
    case Field::App: return c.request.app;
    case Field::Task: return taskName(c.task);
    case Field::RequestedModel: return c.request.requestedModel;
    case Field::Prompt: return c.request.prompt;
    default: return {};
    }
}

double requestNumber(Field field, const EvalContext &c)
{
    switch (field) {
    case Field::InputTokens: return static_cast<double>(c.inputTokens);
    case Field::Complexity: return c.complexity;
    case Field::HourUtc: return c.hourUtc;
    case Field::Weekday: return c.weekday;
    default: return 0.0;
    }
}

bool requestBool(Field field, const EvalContext &c)
{
    switch (field) {
    case Field::HasTools: return c.request.hasTools;
    case Field::HasImages: return c.request.hasImages;
    case Field::Stream: return c.request.stream;
    default: return false;
    }
}

bool textMatches(const Condition &leaf, std::string_view value)
{
    switch (leaf.op) {
    case Op::Eq: return value == leaf.texts.front();
    case Op::Ne: return value != leaf.texts.front();
    case Op::In: return std::find(leaf.texts.begin(), leaf.texts.end(), value) != leaf.texts.end();
    case Op::NotIn: return std::find(leaf.texts.begin(), leaf.texts.end(), value) == leaf.texts.end();
    case Op::Contains: return value.find(leaf.texts.front()) != std::string_view::npos;
    case Op::Matches: return leaf.regex && leaf.prefilter.mayMatch(value) && RE2::PartialMatch(value, *leaf.regex);
    default: return false;
    }
}

// For tags, each operator asks about "any tag": `ne` and `not_in` hold when no tag is equal / listed.
bool tagsMatch(const Condition &leaf, const std::vector<std::string> &tags)
{
    auto anyTag = [&](Op positive) {
        for (const std::string &tag : tags) {
            switch (positive) {
            case Op::Eq:
                if (tag == leaf.texts.front())
                    return true;
                break;
            case Op::In:
                if (std::find(leaf.texts.begin(), leaf.texts.end(), tag) != leaf.texts.end())
                    return true;
                break;
            case Op::Contains:
                if (tag.find(leaf.texts.front()) != std::string::npos)
                    return true;
                break;
            case Op::Matches:
                if (leaf.regex && leaf.prefilter.mayMatch(tag) && RE2::PartialMatch(tag, *leaf.regex))
                    return true;
                break;
            default: break;
            }
        }
        return false;
    };
    switch (leaf.op) {
    case Op::Ne: return !anyTag(Op::Eq);
    case Op::NotIn: return !anyTag(Op::In);
    default: return anyTag(leaf.op);
    }
}

bool numberMatches(const Condition &leaf, double value)
{
    const std::vector<double> &n = leaf.numbers;
    switch (leaf.op) {
    case Op::Eq: return value == n.front();
    case Op::Ne: return value != n.front();
    case Op::Lt: return value < n.front();
    case Op::Lte: return value <= n.front();
    case Op::Gt: return value > n.front();
    case Op::Gte: return value >= n.front();
    case Op::Between: return value >= n[0] && value <= n[1];
    case Op::In: return std::find(n.begin(), n.end(), value) != n.end();
    case Op::NotIn: return std::find(n.begin(), n.end(), value) == n.end();
    default: return false;
    }
}

std::string formatNumber(Field field, double value)
{
    if (field == Field::Weekday) {
        int day = static_cast<int>(value);
        if (day >= 1 && day <= 7)
            return std::string(kWeekdays[static_cast<std::size_t>(day - 1)]);
    }
    char buffer[32];
    if (field == Field::Complexity)
        std::snprintf(buffer, sizeof buffer, "%.3g", value);
    else
        std::snprintf(buffer, sizeof buffer, "%.0f", value);
    return buffer;
}

std::string quoted(std::string_view text, std::size_t limit = 60)
{
    if (text.empty())
        return "(none)";
    std::string out = "\"";
    out.append(text.substr(0, limit));
    if (text.size() > limit)
        out.append("…");
    out.append("\"");
    return out;
}

} // namespace

std::string_view fieldName(Field field)
{
    return kFields[static_cast<std::size_t>(field)].name;
}
std::string_view opName(Op op)
{
    return kOpNames[static_cast<std::size_t>(op)];
}
FieldKind fieldKind(Field field)
{
    return kFields[static_cast<std::size_t>(field)].kind;
}

bool fieldFromName(std::string_view name, Field &out)
{
    for (const FieldInfo &info : kFields)
        if (info.name == name) {
            out = info.field;
            return true;
        }
    return false;
}

bool opFromName(std::string_view name, Op &out)
{
    for (std::size_t i = 0; i < kOpNames.size(); ++i)
        if (kOpNames[i] == name) {
            out = static_cast<Op>(i);
            return true;
        }
    return false;
}

bool opAllowed(Field field, Op op)
{
    switch (fieldKind(field)) {
    case FieldKind::Text:
    case FieldKind::TextSet:
        return op == Op::Eq || op == Op::Ne || op == Op::In || op == Op::NotIn || op == Op::Matches
               || op == Op::Contains;
    case FieldKind::Number: return op != Op::Matches && op != Op::Contains;
    case FieldKind::Boolean: return op == Op::Eq || op == Op::Ne;
    case FieldKind::Prompt: return op == Op::Matches || op == Op::Contains;
    }
    return false;
}

std::string allowedOpsText(Field field)
{
    std::string out;
    for (std::size_t i = 0; i < kOpNames.size(); ++i) {
        if (!opAllowed(field, static_cast<Op>(i)))
            continue;
        if (!out.empty())
            out += ", ";
        out += kOpNames[i];
    }
    return out;
}

std::string allFieldNamesText()
{
    std::string out;
    for (const FieldInfo &info : kFields) {
        if (!out.empty())
            out += ", ";
        out += info.name;
    }
    return out;
}

Condition::Condition() = default;
Condition::~Condition() = default;
Condition::Condition(Condition &&) noexcept = default;
Condition &Condition::operator=(Condition &&) noexcept = default;

const Condition *Condition::firstFailure(const EvalContext &context) const
{
    switch (kind) {
    case Kind::All:
        for (const Condition &child : children)
            if (const Condition *failed = child.firstFailure(context))
                return failed;
        return nullptr;
    case Kind::Any:
        for (const Condition &child : children)
            if (child.firstFailure(context) == nullptr)
                return nullptr;
        return this;
    case Kind::Not: return children.front().firstFailure(context) == nullptr ? this : nullptr;
    case Kind::Leaf: return leafHolds(context) ? nullptr : this;
    }
    return this;
}

bool Condition::leafHolds(const EvalContext &context) const
{
    if (context.request.leafOracle)
        if (std::optional<bool> known = context.request.leafOracle->leafValue(*this))
            return *known;
    switch (fieldKind(field)) {
    case FieldKind::Text:
    case FieldKind::Prompt: return textMatches(*this, requestText(field, context));
    case FieldKind::TextSet: return tagsMatch(*this, context.request.tags);
    case FieldKind::Number: return numberMatches(*this, requestNumber(field, context));
    case FieldKind::Boolean: {
        bool value = requestBool(field, context);
        return op == Op::Eq ? value == boolean : value != boolean;
    }
    }
    return false;
}

bool Condition::alwaysHolds() const
{
    switch (kind) {
    case Kind::All:
        return std::all_of(children.begin(), children.end(), [](const Condition &c) { return c.alwaysHolds(); });
    case Kind::Any:
        return std::any_of(children.begin(), children.end(), [](const Condition &c) { return c.alwaysHolds(); });
    case Kind::Not: return false;
    case Kind::Leaf: break;
    }
    if (fieldKind(field) != FieldKind::Number)
        return false;
    // The ranges each numeric field can take; a test covering the whole range always holds.
    double low = 0.0;
    double high = 0.0;
    switch (field) {
    case Field::Complexity:
        low = 0.0;
        high = 1.0;
        break;
    case Field::InputTokens:
        low = 0.0;
        high = HUGE_VAL;
        break;
    case Field::HourUtc:
        low = 0.0;
        high = 23.0;
        break;
    case Field::Weekday:
        low = 1.0;
        high = 7.0;
        break;
    default: return false;
    }
    switch (op) {
    case Op::Gte: return numbers.front() <= low;
    case Op::Gt: return numbers.front() < low;
    case Op::Lte: return numbers.front() >= high;
    case Op::Lt: return numbers.front() > high;
    case Op::Between: return numbers[0] <= low && numbers[1] >= high;
    case Op::Ne: return numbers.front() < low || numbers.front() > high;
    case Op::NotIn: return std::all_of(numbers.begin(), numbers.end(), [&](double v) { return v < low || v > high; });
    default: return false;
    }
}

std::string Condition::describeFailure(const EvalContext &context) const
{
    switch (kind) {
    case Kind::All: return "a condition of `all` did not hold";
    case Kind::Any: return "none of the " + std::to_string(children.size()) + " alternatives of `any` held";
    case Kind::Not: return "the condition under `not` held";
    case Kind::Leaf: break;
    }
    std::string name(fieldName(field));
    std::string symbol(kOpSymbols[static_cast<std::size_t>(op)]);
    auto list = [&](auto format) {
        std::string out = "[";
        for (std::size_t i = 0; i < std::max(texts.size(), numbers.size()); ++i) {
            if (i)
                out += ", ";
            out += format(i);
        }
        return out + "]";
    };
    switch (fieldKind(field)) {
    case FieldKind::Prompt:
        return "prompt does not " + std::string(opName(op) == "matches" ? "match " : "contain ")
               + quoted(texts.front());
    case FieldKind::Text:
    case FieldKind::TextSet: {
        std::string seen;
        if (field == Field::Tag) {
            seen = "tags [";
            for (std::size_t i = 0; i < context.request.tags.size(); ++i)
                seen += (i ? ", " : "") + quoted(context.request.tags[i], 40);
            seen += "]";
        } else {
            seen = name + " " + quoted(requestText(field, context));
        }
        if (op == Op::In || op == Op::NotIn)
            return seen + " is " + (op == Op::In ? "not in " : "in ")
                   + list([&](std::size_t i) { return quoted(texts[i], 40); });
        if (field == Field::Tag) {
            switch (op) {
            case Op::Eq: return seen + " do not include " + quoted(texts.front());
            case Op::Ne: return seen + " include " + quoted(texts.front());
            case Op::Contains: return "no tag of " + seen + " contains " + quoted(texts.front());
            default: return "no tag of " + seen + " matches " + quoted(texts.front());
            }
        }
        switch (op) {
        case Op::Eq: return seen + " is not " + quoted(texts.front());
        case Op::Ne: return seen + " is " + quoted(texts.front());
        case Op::Contains: return seen + " does not contain " + quoted(texts.front());
        case Op::Matches: return seen + " does not match " + quoted(texts.front());
        default: return seen + " fails " + symbol + " " + quoted(texts.front());
        }
    }
    case FieldKind::Number: {
        std::string seen = name + " " + formatNumber(field, requestNumber(field, context));
        if (op == Op::Between)
            return seen + " is not between " + formatNumber(field, numbers[0]) + " and "
                   + formatNumber(field, numbers[1]);
        if (op == Op::In || op == Op::NotIn)
            return seen + " is " + (op == Op::In ? "not in " : "in ")
                   + list([&](std::size_t i) { return formatNumber(field, numbers[i]); });
        return seen + " is not " + symbol + " " + formatNumber(field, numbers.front());
    }
    case FieldKind::Boolean: return name + " is " + (requestBool(field, context) ? "true" : "false");
    }
    return name + " did not match";
}

} // namespace rl

#include "routing/policywording.h"

#include "boundedjson.h"
#include "routing/condition.h"

#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <vector>

namespace rl {

using nlohmann::ordered_json;

namespace {

constexpr int kMaxDepth = 64; // deeper than the parser allows (16), so a draft shows what it has
constexpr std::size_t kMaxValueChars = 80;
constexpr std::string_view kUnreadable = "? (unreadable)";

constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kWeekdays = {{{"mon", "Monday"},
                                                                                     {"tue", "Tuesday"},
                                                                                     {"wed", "Wednesday"},
                                                                                     {"thu", "Thursday"},
                                                                                     {"fri", "Friday"},
                                                                                     {"sat", "Saturday"},
                                                                                     {"sun", "Sunday"}}};

// Cuts `text` to at most `max` bytes without splitting a UTF-8 sequence, marking the cut with "…".
std::string shortened(std::string text, std::size_t max)
{
    if (text.size() <= max)
        return text;
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
    text.resize(cut);
    return text + "…";
}

std::string fieldWords(Field field)
{
    switch (field) {
    case Field::RequestedModel: return "requested model";
    case Field::InputTokens: return "input";
    case Field::HourUtc: return "hour (UTC)";
    case Field::HasTools: return "has tools";
    case Field::HasImages: return "has images";
    case Field::Stream: return "streaming";
    default: return std::string(fieldName(field));
    }
}

// Complexity and token counts read as comparisons ("= 0.50"), the others as statements ("is 9").
bool symbolic(Field field)
{
    return field == Field::Complexity || field == Field::InputTokens;
}

std::string item(Field field, const ordered_json &value)
{
    if (value.is_string()) {
        const std::string &text = value.get_ref<const std::string &>();
        if (field == Field::Weekday)
            for (const auto &[code, name] : kWeekdays)
                if (text == code)
                    return std::string(name);
        if (fieldKind(field) == FieldKind::Number) // a draft's mistake, shown as written
            return "\"" + shortened(text, kMaxValueChars) + "\"";
        return text.empty() ? "empty" : shortened(text, kMaxValueChars);
    }
    if (value.is_number()) {
        const double number = value.get<double>();
        if (field == Field::Complexity) {
            std::string text = PolicyWording::number(number);
            const auto dot = text.find('.');
            const std::size_t decimals = dot == std::string::npos ? 0 : text.size() - dot - 1;
            if (dot == std::string::npos)
                text += '.';
            for (std::size_t i = decimals; i < 2; ++i)
                text += '0';
            return text;
        }
        return PolicyWording::number(number, field == Field::InputTokens);
    }
    return PolicyWording::value(value);
}

// "legal", "legal or finance", "legal, finance or ops" (`last` is the final joining word).
std::string itemList(Field field, const ordered_json &value, std::string_view last = "or")
{
    if (!value.is_array())
        return item(field, value);
    if (value.empty())
        return "nothing";
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (i > 0)
            out += i + 1 == value.size() ? " " + std::string(last) + " " : ", ";
        out += item(field, value[i]);
    }
    return out;
}

// The words an operator starts with, also used for paths: "is", "<", "is one of", "matches".
std::string opWords(Field field, Op op)
{
    switch (op) {
    case Op::Eq: return symbolic(field) ? "=" : "is";
    case Op::Ne: return symbolic(field) ? "≠" : "is not";
    case Op::In: return "is one of";
    case Op::NotIn: return "is none of";
    case Op::Lt: return "<";
    case Op::Lte: return "≤";
    case Op::Gt: return ">";
    case Op::Gte: return "≥";
    case Op::Between: return "between";
    case Op::Matches: return "matches";
    case Op::Contains: return "contains";
    }
    return "?";
}

std::string predicate(Field field, Op op, const ordered_json &value)
{
    switch (op) {
    case Op::Eq:
    case Op::Ne: return opWords(field, op) + " " + item(field, value);
    case Op::In: return "is " + itemList(field, value);
    case Op::NotIn:
        if (!value.is_array() || value.size() == 1)
            return "is not " + itemList(field, value);
        if (value.size() == 2)
            return "is neither " + item(field, value[0]) + " nor " + item(field, value[1]);
        return "is none of " + itemList(field, value, "or");
    case Op::Lt:
    case Op::Lte:
    case Op::Gt:
    case Op::Gte: return opWords(field, op) + " " + item(field, value);
    case Op::Between:
        if (value.is_array() && value.size() == 2)
            return "between " + item(field, value[0]) + " and " + item(field, value[1]);
        return "between " + itemList(field, value, "and") + " (expected two values)";
    case Op::Matches:
    case Op::Contains:
        return opWords(field, op) + " `" + (value.is_string() ? value.get<std::string>() : PolicyWording::value(value))
               + "`";
    }
    return std::string(kUnreadable);
}

PolicyWording::LeafWords booleanLeaf(Field field, Op op, const ordered_json &value)
{
    if (!value.is_boolean() || (op != Op::Eq && op != Op::Ne))
        return {fieldWords(field), std::string(kUnreadable)};
    const bool positive = value.get<bool>() == (op == Op::Eq);
    switch (field) {
    case Field::HasTools: return {"", positive ? "has tools" : "has no tools"};
    case Field::HasImages: return {"", positive ? "has images" : "has no images"};
    default: return {"", positive ? "streaming" : "not streaming"};
    }
}

bool isGroup(const ordered_json &node)
{
    if (!node.is_object() || node.size() != 1)
        return false;
    const std::string &key = node.begin().key();
    return (key == "all" || key == "any") && node.begin().value().is_array() && node.begin().value().size() > 1;
}

std::string conditionAt(const ordered_json &node, int depth)
{
    if (depth > kMaxDepth)
        return "… (nested too deep)";
    if (!node.is_object())
        return std::string(kUnreadable);
    if (node.empty())
        return "? (empty condition)";
    if (node.size() != 1)
        return "? (several keys in one condition; combine them with all)";
    const std::string &key = node.begin().key();
    const ordered_json &value = node.begin().value();
    if (key == "all" || key == "any") {
        if (!value.is_array())
            return key + " " + std::string(kUnreadable);
        if (value.empty())
            return key == "all" ? "always" : "never";
        std::string out;
        for (std::size_t i = 0; i < value.size(); ++i) {
            if (i > 0)
                out += key == "all" ? " and " : " or ";
            const bool bracket = value.size() > 1 && isGroup(value[i]);
            out += bracket ? "(" + conditionAt(value[i], depth + 1) + ")" : conditionAt(value[i], depth + 1);
        }
        return out;
    }
    if (key == "not")
        return "not (" + conditionAt(value, depth + 1) + ")";
    return PolicyWording::leaf(node).text();
}

bool isIndex(std::string_view segment, std::size_t &index)
{
    if (segment.empty() || segment.size() > 9)
        return false;
    index = 0;
    for (char c : segment) {
        if (c < '0' || c > '9')
            return false;
        index = index * 10 + static_cast<std::size_t>(c - '0');
    }
    return true;
}

// The element `segment` names in `node`, or nullptr.
const ordered_json *childOf(const ordered_json *node, const std::string &segment)
{
    if (node == nullptr)
        return nullptr;
    if (node->is_object()) {
        auto it = node->find(segment);
        return it == node->end() ? nullptr : &*it;
    }
    std::size_t index = 0;
    if (node->is_array() && isIndex(segment, index) && index < node->size())
        return &(*node)[index];
    return nullptr;
}

std::string keyWords(std::string key)
{
    for (char &c : key)
        if (c == '_')
            c = ' ';
    return key;
}

std::string ordinalLabel(std::string_view what, const std::string &segment)
{
    std::size_t index = 0;
    if (isIndex(segment, index))
        return std::string(what) + " " + std::to_string(index + 1);
    return std::string(what) + " " + segment;
}

// The words of a condition path below a rule's `when`.
void conditionPath(const ordered_json *node, const std::vector<std::string> &segments, std::size_t at,
                   std::vector<std::string> &out)
{
    while (at < segments.size()) {
        const std::string &key = segments[at];
        if (key == "all" || key == "any") {
            const ordered_json *list = childOf(node, key);
            if (at + 1 >= segments.size()) {
                out.push_back(key);
                return;
            }
            out.push_back(ordinalLabel("condition", segments[at + 1]));
            node = childOf(list, segments[at + 1]);
            at += 2;
            continue;
        }
        if (key == "not") {
            out.push_back("not");
            node = childOf(node, key);
            ++at;
            continue;
        }
        Field field = Field::Team;
        if (!fieldFromName(key, field)) {
            out.push_back("`" + key + "`");
            ++at;
            node = childOf(node, key);
            continue;
        }
        std::string words = field == Field::InputTokens ? "input tokens" : fieldWords(field);
        Op op = Op::Eq;
        if (at + 1 < segments.size()) {
            if (opFromName(segments[at + 1], op))
                words += " " + opWords(field, op);
            else
                words += " `" + segments[at + 1] + "`";
        }
        out.push_back(words);
        if (at + 2 < segments.size())
            out.push_back(ordinalLabel("value", segments[at + 2]));
        for (std::size_t i = at + 3; i < segments.size(); ++i)
            out.push_back(keyWords(segments[i]));
        return;
    }
}

std::string joinedPath(const std::vector<std::string> &parts)
{
    std::string out;
    for (const std::string &part : parts)
        out += (out.empty() ? "" : " › ") + part;
    return out;
}

std::vector<std::string> pointerSegments(std::string_view pointer)
{
    std::vector<std::string> segments;
    if (pointer.empty() || pointer == "/")
        return segments;
    std::size_t start = pointer.front() == '/' ? 1 : 0;
    while (true) {
        const std::size_t slash = pointer.find('/', start);
        std::string_view raw = pointer.substr(start, slash == std::string_view::npos ? slash : slash - start);
        std::string segment;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
                segment += raw[i + 1] == '0' ? '~' : '/';
                ++i;
            } else {
                segment += raw[i];
            }
        }
        segments.push_back(std::move(segment));
        if (slash == std::string_view::npos)
            break;
        start = slash + 1;
    }
    return segments;
}

// "rule `easy-to-light`", or "rule 3" when the rule has no readable id.
std::string namedItem(std::string_view kind, const ordered_json *item, std::string_view nameKey,
                      const std::string &segment)
{
    if (item != nullptr && item->is_object())
        if (auto name = item->find(nameKey);
            name != item->end() && name->is_string() && !name->get_ref<const std::string &>().empty())
            return std::string(kind) + " `" + name->get<std::string>() + "`";
    return ordinalLabel(kind, segment);
}

} // namespace

PolicyWording::LeafWords PolicyWording::leaf(const ordered_json &leafCondition)
{
    if (!leafCondition.is_object() || leafCondition.size() != 1)
        return {"", std::string(kUnreadable)};
    const std::string &key = leafCondition.begin().key();
    const ordered_json &operators = leafCondition.begin().value();
    Field field = Field::Team;
    if (!fieldFromName(key, field))
        return {"`" + shortened(key, kMaxValueChars) + "`", "? (unknown field)"};
    if (!operators.is_object() || operators.size() != 1)
        return {fieldWords(field), std::string(kUnreadable)};
    Op op = Op::Eq;
    if (!opFromName(operators.begin().key(), op))
        return {fieldWords(field), "? (unknown operator `" + shortened(operators.begin().key(), kMaxValueChars) + "`)"};
    const ordered_json &value = operators.begin().value();
    if (fieldKind(field) == FieldKind::Boolean)
        return booleanLeaf(field, op, value);
    std::string subject = fieldWords(field);
    if (field == Field::Tag && (op == Op::Ne || op == Op::NotIn)) // holds when no tag is equal / listed
        return {"no tag", "is " + itemList(field, value)};
    std::string words = predicate(field, op, value);
    if (field == Field::InputTokens && op != Op::Matches && op != Op::Contains)
        words += " tokens";
    return {std::move(subject), std::move(words)};
}

std::string PolicyWording::condition(const ordered_json &when)
{
    return conditionAt(when, 0);
}

std::string PolicyWording::action(const ordered_json &then)
{
    if (!then.is_object() || then.size() != 1)
        return "→ " + std::string(kUnreadable);
    const std::string &key = then.begin().key();
    const ordered_json &value = then.begin().value();
    const std::string text =
        value.is_string() ? shortened(value.get<std::string>(), kMaxValueChars) : PolicyWording::value(value);
    if (key == "tier")
        return "→ tier " + text;
    if (key == "model")
        return "→ model " + text;
    if (key == "block")
        return "block: " + text;
    return "→ ? (unknown outcome `" + shortened(key, kMaxValueChars) + "`)";
}

std::string PolicyWording::rule(const ordered_json &rule)
{
    if (!rule.is_object())
        return std::string(kUnreadable);
    auto when = rule.find("when");
    auto then = rule.find("then");
    std::string out = when == rule.end() ? "(no condition)" : condition(*when);
    const std::string outcome = then == rule.end() ? "→ ? (no outcome)" : action(*then);
    out += outcome.rfind("→", 0) == 0 ? " " + outcome : " → " + outcome;
    return out;
}

std::string PolicyWording::guardThreshold(const ordered_json &usedAtLeast)
{
    if (!usedAtLeast.is_number())
        return "at ? %";
    const double percent = std::round(usedAtLeast.get<double>() * 100.0 * 1e6) / 1e6;
    return "at " + number(percent) + " %";
}

std::string PolicyWording::guardAction(const ordered_json &then)
{
    if (!then.is_object() || then.size() != 1)
        return std::string(kUnreadable);
    const std::string &key = then.begin().key();
    const ordered_json &value = then.begin().value();
    if (key == "downgrade") {
        if (value.is_number_integer() || value.is_number_unsigned())
            return "down " + value.dump() + (value == 1 ? " tier" : " tiers");
        return "down " + PolicyWording::value(value) + " tiers";
    }
    if (key == "cap_tier")
        return "at most tier " + (value.is_string() ? value.get<std::string>() : PolicyWording::value(value));
    if (key == "block")
        return "block (" + (value.is_string() ? value.get<std::string>() : PolicyWording::value(value)) + ")";
    return "? (unknown action `" + shortened(key, kMaxValueChars) + "`)";
}

std::string PolicyWording::guardStep(const ordered_json &step)
{
    if (!step.is_object())
        return std::string(kUnreadable);
    auto used = step.find("used_at_least");
    auto then = step.find("then");
    return (used == step.end() ? std::string("at ? %") : guardThreshold(*used))
           + " of the budget: " + (then == step.end() ? std::string("? (no action)") : guardAction(*then));
}

std::string PolicyWording::fallbackErrors(const ordered_json &on)
{
    if (!on.is_array())
        return "on ?";
    if (on.empty())
        return "on no errors";
    std::string out = "on ";
    for (std::size_t i = 0; i < on.size(); ++i)
        out += (i > 0 ? ", " : "") + (on[i].is_string() ? keyWords(on[i].get<std::string>()) : value(on[i]));
    return out;
}

std::string PolicyWording::fallbackAttempts(const ordered_json &maxAttempts)
{
    if (maxAttempts == 1)
        return "1 attempt (no retry)";
    if (maxAttempts.is_number())
        return "up to " + number(maxAttempts.get<double>()) + " attempts";
    return "up to ? attempts";
}

std::string PolicyWording::fallbackAcross(const ordered_json &acrossTiers)
{
    if (acrossTiers == "down")
        return "then down a tier";
    if (acrossTiers == "up")
        return "then up a tier";
    if (acrossTiers == "none")
        return "not across tiers";
    return "then ? (" + value(acrossTiers) + ")";
}

std::string PolicyWording::fallback(const ordered_json &fallback)
{
    if (fallback.is_null())
        return "on timeout, rate limited, server error: up to 3 attempts, then down a tier";
    if (!fallback.is_object())
        return std::string(kUnreadable);
    auto on = fallback.find("on");
    auto attempts = fallback.find("max_attempts");
    auto across = fallback.find("across_tiers");
    return (on == fallback.end() ? std::string("on timeout, rate limited, server error") : fallbackErrors(*on)) + ": "
           + (attempts == fallback.end() ? std::string("up to 3 attempts") : fallbackAttempts(*attempts)) + ", "
           + (across == fallback.end() ? std::string("then down a tier") : fallbackAcross(*across));
}

std::string PolicyWording::path(std::string_view jsonPointer, const ordered_json &document)
{
    const std::vector<std::string> segments = pointerSegments(jsonPointer);
    if (segments.empty())
        return "the document";
    std::vector<std::string> out;
    const std::string &top = segments[0];
    const ordered_json *section = childOf(&document, top);
    const ordered_json *item = segments.size() > 1 ? childOf(section, segments[1]) : nullptr;
    const auto rest = [&](std::size_t from) {
        for (std::size_t i = from; i < segments.size(); ++i)
            out.push_back(keyWords(segments[i]));
    };
    if (top == "rules" && segments.size() > 1) {
        out.push_back(namedItem("rule", item, "id", segments[1]));
        if (segments.size() > 2) {
            const std::string &part = segments[2];
            if (part == "when") {
                const ordered_json *when = childOf(item, "when");
                if (segments.size() == 3)
                    out.push_back("condition");
                conditionPath(when, segments, 3, out);
            } else if (part == "then") {
                out.push_back("outcome");
                rest(3);
            } else {
                rest(2);
            }
        }
    } else if (top == "tiers" && segments.size() > 1) {
        out.push_back(namedItem("tier", item, "name", segments[1]));
        if (segments.size() > 3 && segments[2] == "models") {
            out.push_back(ordinalLabel("model", segments[3]));
            rest(4);
        } else {
            rest(2);
        }
    } else if (top == "budget_guard" && segments.size() > 1) {
        out.push_back(ordinalLabel("budget guard step", segments[1]));
        if (segments.size() > 2 && segments[2] == "used_at_least") {
            out.push_back("threshold");
            rest(3);
        } else {
            rest(2);
        }
    } else if (top == "budgets" && segments.size() > 1) {
        out.push_back(ordinalLabel("budget", segments[1]));
        if (segments.size() > 2 && segments[2] == "limit_usd") {
            out.push_back("limit (USD)");
            rest(3);
        } else if (segments.size() > 2 && segments[2] == "spent_usd_at_publish") {
            out.push_back("spent at publish (USD)");
            rest(3);
        } else {
            rest(2);
        }
    } else if (top == "fallback" && segments.size() > 2 && segments[1] == "on") {
        out.push_back("fallback");
        out.push_back("on");
        out.push_back(ordinalLabel("error kind", segments[2]));
        rest(3);
    } else {
        rest(0);
    }
    return joinedPath(out);
}

std::string PolicyWording::number(double value, bool thousands)
{
    if (!std::isfinite(value))
        return "?";
    char buffer[400];
    const bool plain = std::fabs(value) < 1e15;
    auto result = plain ? std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed)
                        : std::to_chars(buffer, buffer + sizeof buffer, value);
    std::string text(buffer, result.ec == std::errc() ? result.ptr : buffer);
    if (text == "-0")
        text = "0";
    if (!thousands || !plain)
        return text;
    const std::size_t begin = text.front() == '-' ? 1 : 0;
    std::size_t end = text.find('.');
    if (end == std::string::npos)
        end = text.size();
    for (std::size_t at = end; at > begin + 3; at -= 3)
        text.insert(at - 3, ",");
    return text;
}

std::string PolicyWording::usd(const ordered_json &value)
{
    if (!value.is_number())
        return PolicyWording::value(value);
    const double dollars = value.get<double>();
    if (!std::isfinite(dollars) || std::fabs(dollars) > 1e12)
        return "$" + number(dollars);
    const auto micro = static_cast<std::int64_t>(std::llround(dollars * 1e6));
    const std::string sign = micro < 0 ? "-" : "";
    const std::int64_t magnitude = micro < 0 ? -micro : micro;
    std::string out = "$" + sign + number(static_cast<double>(magnitude / 1'000'000), true);
    const std::int64_t fraction = magnitude % 1'000'000;
    if (fraction == 0)
        return out;
    std::string decimals = std::to_string(fraction);
    decimals.insert(0, 6 - decimals.size(), '0');
    while (decimals.size() > 2 && decimals.back() == '0')
        decimals.pop_back();
    return out + "." + decimals;
}

std::string PolicyWording::value(const ordered_json &value)
{
    if (value.is_string())
        return shortened(value.get<std::string>(), kMaxValueChars);
    if (value.is_number_float())
        return number(value.get<double>());
    return shortened(toJsonText(value), kMaxValueChars);
}

} // namespace rl

#include "routing/conditionparser.h"

#include "routing/promptchecks.h"
#include "routing/task.h"

#include <nlohmann/json.hpp>
#include <re2/re2.h>

#include <array>
#include <cmath>

namespace rl {

using nlohmann::json;

namespace {

constexpr std::array<std::string_view, 7> kWeekdayNames = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::string taskList()
{
    std::string out;
    for (std::string_view name : kTaskNames)
        out += (out.empty() ? "" : ", ") + std::string(name);
    return out;
}

bool isWholeNumber(const json &value)
{
    if (value.is_number_integer())
        return true;
    if (!value.is_number_float())
        return false;
    double d = value.get<double>();
    return std::isfinite(d) && d == std::floor(d);
}

} // namespace

std::string jsonKindName(const json &value)
{
    switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    default: return "an unsupported value";
    }
}

Condition ConditionParser::parse(const json &node, const std::string &path, int depth)
{
    Condition condition;
    condition.path = path;
    if (depth > kMaxDepth) {
        m_issues.error(path, "conditions are nested deeper than " + std::to_string(kMaxDepth)
                                 + " levels; flatten them with all/any");
        return condition;
    }
    if (!node.is_object()) {
        m_issues.error(path, "expected a condition object such as {\"team\": {\"eq\": \"legal\"}}, found "
                                 + jsonKindName(node));
        return condition;
    }
    if (node.size() != 1) {
        m_issues.error(path, "expected exactly one key (a field, or all/any/not), found " + std::to_string(node.size())
                                 + "; combine tests with \"all\"");
        return condition;
    }
    const auto keyIt = node.begin();
    const std::string &key = keyIt.key();
    const json &value = keyIt.value();
    std::string childPath = PolicyIssues::child(path, key);
    if (key == "all" || key == "any") {
        condition.kind = key == "all" ? Condition::Kind::All : Condition::Kind::Any;
        condition.path = childPath;
        if (!value.is_array()) {
            m_issues.error(childPath, "expected an array of conditions, found " + jsonKindName(value));
            return condition;
        }
        if (key == "any" && value.empty())
            m_issues.error(childPath, "an empty \"any\" can never hold; add a condition or remove it");
        for (std::size_t i = 0; i < value.size(); ++i)
            condition.children.push_back(parse(value[i], PolicyIssues::child(childPath, i), depth + 1));
        return condition;
    }
    if (key == "not") {
        condition.kind = Condition::Kind::Not;
        condition.path = childPath;
        condition.children.push_back(parse(value, childPath, depth + 1));
        return condition;
    }
    condition.kind = Condition::Kind::Leaf;
    parseLeaf(condition, key, value, childPath);
    return condition;
}

void ConditionParser::parseLeaf(Condition &leaf, const std::string &key, const json &operators, const std::string &path)
{
    if (!fieldFromName(key, leaf.field)) {
        m_issues.error(path,
                       "unknown field \"" + key + "\"; expected one of: " + allFieldNamesText() + ", or all/any/not");
        return;
    }
    if (!operators.is_object() || operators.size() != 1) {
        m_issues.error(path, "expected one operator object such as {\""
                                 + std::string(opName(opAllowed(leaf.field, Op::Eq) ? Op::Eq : Op::Matches))
                                 + "\": …}; operators for " + key + ": " + allowedOpsText(leaf.field));
        return;
    }
    const auto opKeyIt = operators.begin();
    const std::string &opKey = opKeyIt.key();
    const json &value = opKeyIt.value();
    std::string opPath = PolicyIssues::child(path, opKey);
    leaf.path = opPath;
    if (!opFromName(opKey, leaf.op)) {
        m_issues.error(opPath,
                       "unknown operator \"" + opKey + "\"; operators for " + key + ": " + allowedOpsText(leaf.field));
        return;
    }
    if (!opAllowed(leaf.field, leaf.op)) {
        m_issues.error(opPath, "operator \"" + opKey + "\" does not apply to " + key
                                   + "; use one of: " + allowedOpsText(leaf.field));
        return;
    }
    parseLeafValue(leaf, value, opPath);
}

void ConditionParser::parseLeafValue(Condition &leaf, const json &value, const std::string &path)
{
    const FieldKind kind = fieldKind(leaf.field);
    const std::string field(fieldName(leaf.field));

    if (leaf.op == Op::In || leaf.op == Op::NotIn || leaf.op == Op::Between) {
        if (!value.is_array() || value.empty()) {
            m_issues.error(path, leaf.op == Op::Between ? "expected an array of two values [low, high]"
                                                        : "expected a non-empty array of values");
            return;
        }
        if (leaf.op == Op::Between && value.size() != 2) {
            m_issues.error(path, "expected exactly two values [low, high], found " + std::to_string(value.size()));
            return;
        }
        for (std::size_t i = 0; i < value.size(); ++i) {
            std::string itemPath = PolicyIssues::child(path, i);
            if (kind == FieldKind::Number) {
                double number = 0;
                if (readNumber(leaf.field, value[i], itemPath, number))
                    leaf.numbers.push_back(number);
            } else {
                std::string text;
                if (readText(leaf.field, leaf.op, value[i], itemPath, text))
                    leaf.texts.push_back(std::move(text));
            }
        }
        if (leaf.op == Op::Between && leaf.numbers.size() == 2 && leaf.numbers[0] > leaf.numbers[1])
            m_issues.error(path, "low bound is above high bound; write [low, high]");
        return;
    }

    switch (kind) {
    case FieldKind::Number: {
        double number = 0;
        if (readNumber(leaf.field, value, path, number))
            leaf.numbers.push_back(number);
        return;
    }
    case FieldKind::Boolean:
        if (!value.is_boolean()) {
            m_issues.error(path, "expected true or false, found " + jsonKindName(value));
            return;
        }
        leaf.boolean = value.get<bool>();
        return;
    case FieldKind::Text:
    case FieldKind::TextSet:
    case FieldKind::Prompt: {
        std::string text;
        if (!readText(leaf.field, leaf.op, value, path, text))
            return;
        if (leaf.op == Op::Matches) {
            RE2::Options options;
            options.set_log_errors(false);
            auto regex = std::make_unique<RE2>(text, options);
            if (!regex->ok()) {
                m_issues.error(path, "regex does not compile: " + regex->error()
                                         + " (RE2 syntax: no lookaround or backreferences)");
                return;
            }
            leaf.prefilter = LiteralPrefilter::forPattern(text, false);
            leaf.regex = std::move(regex);
        } else if (leaf.op == Op::Contains && text.empty()) {
            m_issues.error(path, "an empty \"contains\" always holds; give the text to look for");
            return;
        }
        if (leaf.field == Field::Prompt)
            leaf.promptKey = PromptChecks::key(leaf.op, text);
        leaf.texts.push_back(std::move(text));
        return;
    }
    }
}

bool ConditionParser::readNumber(Field field, const json &value, const std::string &path, double &out)
{
    if (field == Field::Weekday) {
        if (value.is_string()) {
            std::string name = value.get<std::string>();
            for (std::size_t i = 0; i < kWeekdayNames.size(); ++i)
                if (kWeekdayNames[i] == name) {
                    out = static_cast<double>(i + 1);
                    return true;
                }
        }
        m_issues.error(path, "expected a weekday: mon, tue, wed, thu, fri, sat or sun");
        return false;
    }
    if (!value.is_number()) {
        m_issues.error(path, "expected a number, found " + jsonKindName(value));
        return false;
    }
    out = value.get<double>();
    switch (field) {
    case Field::Complexity:
        if (!(out >= 0.0 && out <= 1.0)) {
            m_issues.error(path, "expected a number between 0 and 1");
            return false;
        }
        return true;
    case Field::InputTokens:
        if (!isWholeNumber(value) || out < 0 || out > 1e12) {
            m_issues.error(path, "expected a whole number of tokens, 0 or more");
            return false;
        }
        return true;
    case Field::HourUtc:
        if (!isWholeNumber(value) || out < 0 || out > 23) {
            m_issues.error(path, "expected a whole hour from 0 to 23 (UTC)");
            return false;
        }
        return true;
    default: return true;
    }
}

bool ConditionParser::readText(Field field, Op op, const json &value, const std::string &path, std::string &out)
{
    if (!value.is_string()) {
        m_issues.error(path, "expected a string, found " + jsonKindName(value));
        return false;
    }
    out = value.get<std::string>();
    if (field == Field::Task && op != Op::Matches && op != Op::Contains && !taskFromName(out)) {
        m_issues.error(path, "unknown task \"" + out + "\"; expected one of: " + taskList());
        return false;
    }
    return true;
}

} // namespace rl

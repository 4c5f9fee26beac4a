#include "jsonschemacheck.h"

#include "routing/policyissue.h"

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fixture {

using nlohmann::json;

namespace {

// A chain of $refs longer than this without reaching a keyword that looks at the value is a loop.
constexpr int kMaxRefChain = 32;

constexpr std::array<std::string_view, 7> kTypeNames = {"null",   "boolean", "integer", "number",
                                                        "string", "object",  "array"};

bool hasType(const json &value, std::string_view type)
{
    if (type == "null")
        return value.is_null();
    if (type == "boolean")
        return value.is_boolean();
    if (type == "string")
        return value.is_string();
    if (type == "object")
        return value.is_object();
    if (type == "array")
        return value.is_array();
    if (type == "number")
        return value.is_number();
    if (type == "integer") {
        if (value.is_number_integer())
            return true;
        // JSON has one number type: 3.0 is an integer too.
        if (!value.is_number_float())
            return false;
        const double d = value.get<double>();
        return std::isfinite(d) && std::floor(d) == d;
    }
    return false;
}

std::string typeOf(const json &value)
{
    switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    case json::value_t::number_float: return "number";
    case json::value_t::string: return "string";
    case json::value_t::object: return "object";
    case json::value_t::array: return "array";
    default: return "an unknown value";
    }
}

// `pointer` and one more reference token, escaped as RFC 6901 says (the policy parser's issue paths are JSON
// pointers too): model names such as "openai/gpt-4o" are keys.
std::string child(const std::string &pointer, std::string_view key)
{
    return rl::PolicyIssues::child(pointer, key);
}

std::string shown(const std::string &pointer)
{
    return pointer.empty() ? "(root)" : pointer;
}

std::string typeList(const json &type)
{
    if (type.is_string())
        return type.get<std::string>();
    std::string out;
    for (const json &name : type) {
        if (!out.empty())
            out += '|';
        out += name.is_string() ? name.get<std::string>() : name.dump();
    }
    return out;
}

bool isAnnotation(std::string_view keyword)
{
    return keyword == "description" || keyword == "$comment" || keyword == "$schema" || keyword == "$id"
           || keyword == "title" || keyword.rfind("x-", 0) == 0;
}

bool isKeyword(std::string_view keyword)
{
    static const std::set<std::string_view> known = {"type",  "properties", "required", "additionalProperties",
                                                     "items", "enum",       "$ref",     "$defs"};
    return known.count(keyword) > 0 || isAnnotation(keyword);
}

} // namespace

JsonSchemaCheck::JsonSchemaCheck(json schema, std::string name) : m_schema(std::move(schema)), m_name(std::move(name))
{
    if (!m_schema.is_object())
        return;
    if (auto origin = m_schema.find("x-origin"); origin != m_schema.end() && origin->is_string())
        m_origin = origin->get<std::string>();
    if (auto paths = m_schema.find("x-paths"); paths != m_schema.end() && paths->is_array()) {
        for (const json &path : *paths) {
            if (path.is_string())
                m_paths.push_back(path.get<std::string>());
        }
    }
}

JsonSchemaCheck JsonSchemaCheck::fromFile(const std::string &path)
{
    const std::string name = std::filesystem::path(path).filename().string();
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        JsonSchemaCheck check(json(), name);
        check.m_loadError = "cannot be read";
        return check;
    }
    std::stringstream text;
    text << in.rdbuf();
    json schema = json::parse(text.str(), nullptr, false);
    if (schema.is_discarded()) {
        JsonSchemaCheck check(json(), name);
        check.m_loadError = "is not JSON";
        return check;
    }
    return JsonSchemaCheck(std::move(schema), name);
}

std::vector<std::string> JsonSchemaCheck::problems(const json &value) const
{
    std::vector<std::string> out;
    if (!m_loadError.empty()) {
        out.push_back("the schema " + m_name + " " + m_loadError);
        return out;
    }
    check(m_schema, value, "", 0, out);
    return out;
}

void JsonSchemaCheck::check(const json &schema, const json &value, const std::string &pointer, int refDepth,
                            std::vector<std::string> &out) const
{
    if (schema.is_boolean()) {
        if (!schema.get<bool>())
            out.push_back(shown(pointer) + ": not sent by the service");
        return;
    }
    if (!schema.is_object())
        return; // schemaErrors() says what is wrong with it
    if (auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
        const json *target = resolve(ref->get<std::string>());
        if (!target)
            out.push_back(shown(pointer) + ": schema error: $ref " + ref->dump() + " does not resolve");
        else if (refDepth >= kMaxRefChain)
            out.push_back(shown(pointer) + ": schema error: $ref " + ref->dump() + " loops");
        else
            check(*target, value, pointer, refDepth + 1, out);
    }
    if (auto type = schema.find("type"); type != schema.end()) {
        bool allowed = false;
        if (type->is_string())
            allowed = hasType(value, type->get<std::string>());
        else if (type->is_array())
            for (const json &name : *type)
                allowed = allowed || (name.is_string() && hasType(value, name.get<std::string>()));
        if (!allowed) {
            // Nothing below a value of the wrong type is worth reporting.
            out.push_back(shown(pointer) + ": " + typeOf(value) + " is not allowed (" + typeList(*type) + ")");
            return;
        }
    }
    if (auto choices = schema.find("enum"); choices != schema.end() && choices->is_array()) {
        bool listed = false;
        for (const json &choice : *choices)
            listed = listed || choice == value;
        if (!listed) {
            std::string names;
            for (const json &choice : *choices)
                names += (names.empty() ? "" : ", ") + choice.dump();
            out.push_back(shown(pointer) + ": " + value.dump() + " is not one of " + names);
        }
    }
    if (value.is_object())
        checkObject(schema, value, pointer, out);
    if (auto items = schema.find("items"); items != schema.end() && value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i)
            check(*items, value[i], pointer + "/" + std::to_string(i), 0, out);
    }
}

void JsonSchemaCheck::checkObject(const json &schema, const json &value, const std::string &pointer,
                                  std::vector<std::string> &out) const
{
    const auto properties = schema.find("properties");
    const bool hasProperties = properties != schema.end() && properties->is_object();
    if (auto required = schema.find("required"); required != schema.end() && required->is_array()) {
        for (const json &name : *required) {
            if (name.is_string() && !value.contains(name.get<std::string>()))
                out.push_back(child(pointer, name.get<std::string>())
                              + ": missing, but the service always sends it (null when it has no value)");
        }
    }
    const auto additional = schema.find("additionalProperties");
    for (const auto &[key, member] : value.items()) {
        if (hasProperties && properties->contains(key)) {
            check((*properties)[key], member, child(pointer, key), 0, out);
        } else if (additional != schema.end()) {
            if (additional->is_boolean() && !additional->get<bool>())
                out.push_back(child(pointer, key) + ": not sent by the service");
            else
                check(*additional, member, child(pointer, key), 0, out);
        }
    }
}

const json *JsonSchemaCheck::resolve(const std::string &ref) const
{
    if (ref.empty() || ref[0] != '#')
        return nullptr; // only references inside the same file
    try {
        return &m_schema.at(json::json_pointer(ref.substr(1)));
    } catch (const json::exception &) {
        return nullptr;
    }
}

std::vector<std::string> JsonSchemaCheck::schemaErrors() const
{
    std::vector<std::string> out;
    if (!m_loadError.empty()) {
        out.push_back(m_name + " " + m_loadError);
        return out;
    }
    if (!m_schema.is_object()) {
        out.push_back(m_name + ": the schema is not an object");
        return out;
    }
    if (m_origin.empty())
        out.push_back(m_name + ": no \"x-origin\" saying which document and upstream file the shape comes from");
    const json &paths = m_schema.contains("x-paths") ? m_schema["x-paths"] : json();
    if (!paths.is_array() || paths.empty() || paths.size() != m_paths.size())
        out.push_back(m_name + ": \"x-paths\" must be a non-empty list of URL paths");
    for (const std::string &path : m_paths) {
        if (path.empty() || path[0] != '/')
            out.push_back(m_name + ": the x-path \"" + path + "\" does not start with '/'");
    }
    lint(m_schema, "#", out);
    for (std::string &error : out) {
        if (error.rfind(m_name, 0) != 0)
            error = m_name + ": " + error;
    }
    return out;
}

void JsonSchemaCheck::lint(const json &schema, const std::string &where, std::vector<std::string> &out) const
{
    if (schema.is_boolean())
        return;
    if (!schema.is_object()) {
        out.push_back(where + ": a schema must be an object or true/false");
        return;
    }
    for (auto it = schema.begin(); it != schema.end(); ++it) {
        if (!isKeyword(it.key()))
            out.push_back(where + ": unknown keyword \"" + it.key() + "\"");
    }
    if (auto type = schema.find("type"); type != schema.end()) {
        std::vector<json> names;
        if (type->is_string())
            names.push_back(*type);
        else if (type->is_array() && !type->empty())
            names.assign(type->begin(), type->end());
        else
            out.push_back(where + "/type: must be a type name or a non-empty list of them");
        for (const json &name : names) {
            bool known = false;
            for (std::string_view typeName : kTypeNames)
                known = known || (name.is_string() && name.get<std::string>() == typeName);
            if (!known)
                out.push_back(where + "/type: " + name.dump() + " is not a JSON Schema type");
        }
    }
    const auto properties = schema.find("properties");
    if (properties != schema.end()) {
        if (!properties->is_object())
            out.push_back(where + "/properties: must be an object");
        else
            for (const auto &[name, property] : properties->items())
                lint(property, child(where + "/properties", name), out);
    }
    const auto additional = schema.find("additionalProperties");
    const bool closed = additional != schema.end() && additional->is_boolean() && !additional->get<bool>();
    if (additional != schema.end())
        lint(*additional, where + "/additionalProperties", out);
    if (auto required = schema.find("required"); required != schema.end()) {
        if (!required->is_array()) {
            out.push_back(where + "/required: must be a list of names");
        } else {
            std::set<std::string> seen;
            for (const json &name : *required) {
                if (!name.is_string()) {
                    out.push_back(where + "/required: " + name.dump() + " is not a name");
                    continue;
                }
                const std::string text = name.get<std::string>();
                if (!seen.insert(text).second)
                    out.push_back(where + "/required: \"" + text + "\" is listed twice");
                const bool described =
                    properties != schema.end() && properties->is_object() && properties->contains(text);
                if (closed && !described)
                    out.push_back(where + "/required: \"" + text
                                  + "\" is not in properties, and additionalProperties is false: nothing matches");
            }
        }
    }
    if (auto items = schema.find("items"); items != schema.end())
        lint(*items, where + "/items", out);
    if (auto choices = schema.find("enum"); choices != schema.end() && (!choices->is_array() || choices->empty()))
        out.push_back(where + "/enum: must be a non-empty list");
    if (auto ref = schema.find("$ref"); ref != schema.end()) {
        if (!ref->is_string())
            out.push_back(where + "/$ref: must be a string");
        else if (!resolve(ref->get<std::string>()))
            out.push_back(where + "/$ref: " + ref->dump() + " does not resolve");
    }
    if (auto defs = schema.find("$defs"); defs != schema.end()) {
        if (!defs->is_object())
            out.push_back(where + "/$defs: must be an object");
        else
            for (const auto &[name, def] : defs->items())
                lint(def, child(where + "/$defs", name), out);
    }
}

} // namespace fixture

#pragma once

// A JSON Schema checker for the documented shapes of the services the usage connectors read
// (tests/sources/schemas/*.schema.json), so a test fixture cannot carry a field the real service never sends
// or lack one it always sends. It understands the subset those files use: `type` (a name or a list of names,
// "null" and "integer" included), `properties`, `required`, `additionalProperties` (false, true or a schema),
// `items`, `enum`, `$ref` to a local pointer such as `#/$defs/<name>`, `$defs`, and the schemas `true` and
// `false`. Annotations (`description`, `$comment`, `x-…`) are ignored; any other keyword is a schema error, so
// a misspelt keyword cannot silently accept everything.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace fixture {

class JsonSchemaCheck {
public:
    // `name` is what messages call the schema (its file name, usually).
    JsonSchemaCheck(nlohmann::json schema, std::string name);

    // Reads a schema file; an unreadable file or one that is not JSON gives a check whose schemaErrors() say so.
    static JsonSchemaCheck fromFile(const std::string &path);

    // Where `value` differs from the schema, one message per difference, each starting with the JSON pointer
    // of the place ("/data/0/amount/value: null is not allowed (number|string)"). Empty when it matches.
    std::vector<std::string> problems(const nlohmann::json &value) const;

    // What is wrong with the schema itself: unknown keywords, malformed `type`/`required`/…, a `$ref` that does
    // not resolve, a missing `x-origin` or `x-paths`. Empty for a usable schema.
    std::vector<std::string> schemaErrors() const;

    const std::string &name() const { return m_name; }
    // The URL paths the schema describes (its `x-paths`), e.g. "/organization/costs".
    const std::vector<std::string> &paths() const { return m_paths; }
    // Where the shape comes from (its `x-origin`).
    const std::string &origin() const { return m_origin; }

private:
    void check(const nlohmann::json &schema, const nlohmann::json &value, const std::string &pointer, int refDepth,
               std::vector<std::string> &out) const;
    void checkObject(const nlohmann::json &schema, const nlohmann::json &value, const std::string &pointer,
                     std::vector<std::string> &out) const;
    void lint(const nlohmann::json &schema, const std::string &where, std::vector<std::string> &out) const;
    const nlohmann::json *resolve(const std::string &ref) const;

    nlohmann::json m_schema;
    std::string m_name;
    std::string m_origin;
    std::vector<std::string> m_paths;
    std::string m_loadError;
};

} // namespace fixture

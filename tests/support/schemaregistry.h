#pragma once

// Every schema in a folder (tests/sources/schemas/*.schema.json), found by the URL path a fixture is served at.
#include "jsonschemacheck.h"

#include <string>
#include <string_view>
#include <vector>

namespace fixture {

class SchemaRegistry {
public:
    // Loads every `*.schema.json` directly in `directory` (not its subfolders: examples/ holds bodies).
    explicit SchemaRegistry(const std::string &directory);

    // The schema whose `x-paths` names `path` (a query string is ignored). A path also matches when it ends
    // with a listed one, so a fixture served under a base-URL prefix ("/v1/organization/costs") is checked as
    // "/organization/costs"; the longest listed path wins. nullptr when no schema describes the path.
    const JsonSchemaCheck *forPath(std::string_view path) const;

    const std::vector<JsonSchemaCheck> &schemas() const { return m_schemas; }
    // A missing or empty folder, or a path that two schemas claim.
    const std::vector<std::string> &loadErrors() const { return m_errors; }

private:
    std::vector<JsonSchemaCheck> m_schemas;
    std::vector<std::string> m_errors;
};

} // namespace fixture

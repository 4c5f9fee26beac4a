#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace rl {

// Writes a JSON value as block-style YAML (the subset LiteLLM's config.yaml needs: maps, lists, strings,
// numbers, booleans, null). Every string is double-quoted with JSON's escapes, which YAML's double-quoted
// scalars read the same way, so no value can turn into another type (`no`, `1e3`, `null`) or break the
// structure; keys are left plain only when they are simple identifiers.
class YamlWriter {
public:
    // `comments` become `# …` lines at the top (one per entry; newlines in them are replaced by spaces).
    static std::string write(const nlohmann::ordered_json &document, const std::vector<std::string> &comments = {});
};

} // namespace rl

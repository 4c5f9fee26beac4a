#include "completionusage.h"

#include <nlohmann/json.hpp>

namespace rl {

namespace {

std::int64_t count(const nlohmann::json &object, const char *key)
{
    auto it = object.find(key);
    if (it == object.end() || !it->is_number_integer())
        return 0;
    return std::max<std::int64_t>(0, it->get<std::int64_t>());
}

bool isCount(const nlohmann::json &object, const char *key)
{
    auto it = object.find(key);
    return it != object.end() && it->is_number_integer() && it->get<std::int64_t>() >= 0;
}

} // namespace

std::optional<TokenUsage> readCompletionUsage(const nlohmann::json &usage)
{
    // Without both counts the answer is unmetered: zero tokens would pass for a free request.
    if (!usage.is_object() || !isCount(usage, "prompt_tokens") || !isCount(usage, "completion_tokens"))
        return std::nullopt;
    TokenUsage tokens;
    const std::int64_t prompt = count(usage, "prompt_tokens");
    std::int64_t cached = 0;
    if (auto details = usage.find("prompt_tokens_details"); details != usage.end() && details->is_object())
        cached = std::min(prompt, count(*details, "cached_tokens"));
    tokens.cachedInput = cached;
    tokens.input = prompt - cached;
    tokens.output = count(usage, "completion_tokens");
    if (auto details = usage.find("completion_tokens_details"); details != usage.end() && details->is_object())
        tokens.reasoning = std::min(tokens.output, count(*details, "reasoning_tokens"));
    return tokens;
}

std::optional<TokenUsage> findCompletionUsage(std::string_view body)
{
    // Walk the top level of the object, skipping strings and nested values, until the key "usage".
    int depth = 0;
    bool inString = false;
    std::size_t stringStart = 0;
    std::string_view lastKey;
    for (std::size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"') {
                inString = false;
                if (depth == 1)
                    lastKey = body.substr(stringStart, i - stringStart);
            }
            continue;
        }
        if (c == '"') {
            inString = true;
            stringStart = i + 1;
        } else if (c == '{' || c == '[') {
            if (depth == 1 && c == '{' && lastKey == "usage") {
                // Find the end of this object and parse just it.
                int inner = 0;
                bool innerString = false;
                for (std::size_t j = i; j < body.size(); ++j) {
                    const char d = body[j];
                    if (innerString) {
                        if (d == '\\')
                            ++j;
                        else if (d == '"')
                            innerString = false;
                    } else if (d == '"') {
                        innerString = true;
                    } else if (d == '{' || d == '[') {
                        ++inner;
                    } else if ((d == '}' || d == ']') && --inner == 0) {
                        nlohmann::json usage = nlohmann::json::parse(body.substr(i, j - i + 1), nullptr, false);
                        return readCompletionUsage(usage);
                    }
                }
                return std::nullopt;
            }
            ++depth;
        } else if (c == '}' || c == ']') {
            --depth;
        } else if (c == ',' && depth == 1) {
            lastKey = {};
        }
    }
    return std::nullopt;
}

} // namespace rl

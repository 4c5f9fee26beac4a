#include "boundedjson.h"

namespace rl {

Result<void> checkJsonShape(std::string_view text, const JsonLimits &limits)
{
    // Values are counted as containers plus separators: exact for the elements of an array or the members
    // of an object after the first, so within one per container of the real count.
    int depth = 0;
    std::size_t values = 0;
    const char *p = text.data();
    const char *const end = p + text.size();
    while (p < end) {
        const char c = *p++;
        switch (c) {
        case '"':
            // Skip the string: only a quote that is not escaped ends it.
            while (p < end && *p != '"')
                p += (*p == '\\' && end - p > 1) ? 2 : 1;
            if (p < end)
                ++p;
            break;
        case '[':
        case '{':
            if (++depth > limits.maxDepth)
                return Error{"json.too_deep", "nesting deeper than " + std::to_string(limits.maxDepth) + " levels",
                             false};
            ++values;
            break;
        case ']':
        case '}': // never below zero: closers before any opener cannot hide the depth that follows
            depth -= depth > 0 ? 1 : 0;
            break;
        case ',': ++values; break;
        default: break;
        }
        if (values > limits.maxValues)
            return Error{"json.too_many_values", "more than " + std::to_string(limits.maxValues) + " JSON values",
                         false};
    }
    return {};
}

std::string toJsonText(const nlohmann::json &value)
{
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string toJsonText(const nlohmann::ordered_json &value)
{
    return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

} // namespace rl

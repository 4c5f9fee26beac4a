#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rl {

// Small readers for the fields of the usage and cost APIs' JSON, shared by the connectors. Money is
// always integer micro-USD: amounts given as decimal strings are converted exactly (never through a
// double), amounts given as JSON numbers are rounded once with llround.
class JsonFields {
public:
    // What one unit of an amount is worth: dollars (OpenAI, LiteLLM, OpenRouter) or cents (Anthropic).
    enum class MoneyUnit { Dollars, Cents };

    // A non-negative whole count (tokens, requests): 0 when the key is missing, null, negative or not an
    // integer.
    static std::int64_t count(const nlohmann::json &object, std::string_view key);
    // A string field; empty when the key is missing, null or not a string.
    static std::string text(const nlohmann::json &object, std::string_view key);
    // Whether `object` has `key` with a non-null value.
    static bool has(const nlohmann::json &object, std::string_view key);
    // An amount, a JSON number or a decimal string ("123.78912", "-0.5", "1e-3"), in `unit`, as micro-USD
    // rounded half away from zero. nullopt when it is neither, or beyond ±9·10^12 USD.
    static std::optional<std::int64_t> microUsd(const nlohmann::json &value, MoneyUnit unit);
    // Whether a cost report's currency means US dollars: "usd" in any case, or empty (the reports bill in USD
    // only and may leave the field out).
    static bool isUsd(std::string_view currency);
    // A decimal string in `unit` to micro-USD, exactly; nullopt when it is not a plain decimal number.
    static std::optional<std::int64_t> decimalToMicroUsd(std::string_view text, MoneyUnit unit);
};

} // namespace rl

#include "sources/jsonfields.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

namespace rl {

using nlohmann::json;

namespace {

constexpr std::int64_t kMaxMicro = 9'000'000'000'000'000'000; // 9·10^12 USD
constexpr double kMaxMicroDouble = 9e18;

} // namespace

std::int64_t JsonFields::count(const json &object, std::string_view key)
{
    if (!object.is_object())
        return 0;
    auto it = object.find(key);
    if (it == object.end())
        return 0;
    if (it->is_number_unsigned())
        return static_cast<std::int64_t>(std::min<std::uint64_t>(it->get<std::uint64_t>(), INT64_MAX));
    return it->is_number_integer() ? std::max<std::int64_t>(0, it->get<std::int64_t>()) : 0;
}

std::string JsonFields::text(const json &object, std::string_view key)
{
    if (!object.is_object())
        return {};
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool JsonFields::isUsd(std::string_view currency)
{
    return currency.empty()
           || (currency.size() == 3 && std::equal(currency.begin(), currency.end(), "usd", [](char c, char lower) {
                   return static_cast<char>(std::tolower(static_cast<unsigned char>(c))) == lower;
               }));
}

bool JsonFields::has(const json &object, std::string_view key)
{
    if (!object.is_object())
        return false;
    auto it = object.find(key);
    return it != object.end() && !it->is_null();
}

std::optional<std::int64_t> JsonFields::decimalToMicroUsd(std::string_view text, MoneyUnit unit)
{
    // [+-]digits[.digits][(e|E)[+-]digits], at least one digit in the mantissa.
    std::size_t at = 0;
    bool negative = false;
    if (at < text.size() && (text[at] == '+' || text[at] == '-'))
        negative = text[at++] == '-';
    std::string digits;             // the mantissa's digits, without the point
    std::int64_t integerDigits = 0; // how many of them stand before the point
    bool point = false;
    for (; at < text.size(); ++at) {
        const char c = text[at];
        if (c >= '0' && c <= '9') {
            digits += c;
            if (!point)
                ++integerDigits;
        } else if (c == '.' && !point) {
            point = true;
        } else {
            break;
        }
    }
    if (digits.empty() || digits.size() > 64)
        return std::nullopt;
    std::int64_t exponent = 0;
    if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
        ++at;
        bool negativeExponent = false;
        if (at < text.size() && (text[at] == '+' || text[at] == '-'))
            negativeExponent = text[at++] == '-';
        const std::size_t first = at;
        for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
            exponent = exponent * 10 + (text[at] - '0');
            if (exponent > 100)
                return std::nullopt;
        }
        if (at == first)
            return std::nullopt;
        if (negativeExponent)
            exponent = -exponent;
    }
    if (at != text.size())
        return std::nullopt;
    // The micro-USD integer is the digits up to the (shifted) point; the next digit rounds.
    const std::int64_t shift = unit == MoneyUnit::Dollars ? 6 : 4;
    const std::int64_t end = integerDigits + exponent + shift; // digits that form the integer part
    std::int64_t whole = 0;
    int roundDigit = 0;
    for (std::int64_t i = 0; i <= end && i <= static_cast<std::int64_t>(digits.size()) + 20; ++i) {
        const int d = i < static_cast<std::int64_t>(digits.size()) ? digits[static_cast<std::size_t>(i)] - '0' : 0;
        if (i == end) {
            roundDigit = d;
            break;
        }
        if (whole > (kMaxMicro - d) / 10)
            return std::nullopt;
        whole = whole * 10 + d;
    }
    if (end > static_cast<std::int64_t>(digits.size()) + 20 && whole != 0)
        return std::nullopt;
    if (end < 0)
        roundDigit = 0;
    if (roundDigit >= 5)
        ++whole;
    if (whole > kMaxMicro)
        return std::nullopt;
    return negative ? -whole : whole;
}

std::optional<std::int64_t> JsonFields::microUsd(const json &value, MoneyUnit unit)
{
    const std::int64_t perUnit = unit == MoneyUnit::Dollars ? 1'000'000 : 10'000;
    if (value.is_number_integer()) {
        const std::int64_t v =
            value.is_number_unsigned()
                ? static_cast<std::int64_t>(std::min<std::uint64_t>(value.get<std::uint64_t>(), INT64_MAX))
                : value.get<std::int64_t>();
        if (v > kMaxMicro / perUnit || v < -kMaxMicro / perUnit)
            return std::nullopt;
        return v * perUnit;
    }
    if (value.is_number_float()) {
        const double micro = value.get<double>() * static_cast<double>(perUnit);
        if (!std::isfinite(micro) || std::fabs(micro) > kMaxMicroDouble)
            return std::nullopt;
        return static_cast<std::int64_t>(std::llround(micro));
    }
    if (value.is_string())
        return decimalToMicroUsd(value.get_ref<const std::string &>(), unit);
    return std::nullopt;
}

} // namespace rl

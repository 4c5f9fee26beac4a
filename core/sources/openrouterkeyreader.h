#pragma once

#include "error.h"
#include "net/httpclient.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rl {

// One OpenRouter key's limit and spend (gateway-apis.md §4.3), money in micro-USD.
struct OpenRouterKey {
    std::string label;
    std::int64_t usageMicro = 0;                     // lifetime spend
    std::optional<std::int64_t> limitMicro;          // nullopt: no limit
    std::optional<std::int64_t> limitRemainingMicro; // nullopt when there is no limit
    std::string limitReset;                          // "daily", "weekly", "monthly"; empty: never resets
    std::int64_t usageDailyMicro = 0, usageWeeklyMicro = 0, usageMonthlyMicro = 0;
    bool isFreeTier = false;

    // Spend in the limit's current window (limit − limit_remaining): what to show against the limit,
    // not the lifetime `usage`.
    std::optional<std::int64_t> windowSpendMicro() const
    {
        if (!limitMicro || !limitRemainingMicro)
            return std::nullopt;
        return *limitMicro - *limitRemainingMicro;
    }
};

// Reads the current key's limit and usage from OpenRouter: GET {base}/api/v1/key (falling back to the older
// /api/v1/auth/key on 404), the key as a bearer token; base https://openrouter.ai (a base ending in /api/v1
// works too). For the Budgets page.
class OpenRouterKeyReader {
public:
    OpenRouterKeyReader(HttpClient &http, std::string sourceName, std::string baseUrl, std::string key);

    Result<OpenRouterKey> read();
    static Result<OpenRouterKey> parse(std::string_view body, const std::string &sourceName);

private:
    HttpClient &m_http;
    std::string m_sourceName;
    std::string m_baseUrl;
    std::string m_key;
};

} // namespace rl

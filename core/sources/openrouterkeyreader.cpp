#include "sources/openrouterkeyreader.h"

#include "sources/baseurl.h"
#include "sources/jsonfields.h"
#include "sources/malformedpage.h"

#include <nlohmann/json.hpp>

namespace rl {

using nlohmann::json;

OpenRouterKeyReader::OpenRouterKeyReader(HttpClient &http, std::string sourceName, std::string baseUrl, std::string key)
    : m_http(http), m_sourceName(std::move(sourceName)), m_baseUrl(trimmedBaseUrl(std::move(baseUrl), "/api/v1")),
      m_key(std::move(key))
{}

Result<OpenRouterKey> OpenRouterKeyReader::parse(std::string_view body, const std::string &sourceName)
{
    // Read from /api/v1/key or the older /api/v1/auth/key: the endpoint is left unnamed.
    const MalformedPage malformed{"OpenRouter key information", sourceName, "", "the OpenRouter API"};
    auto parsed = malformed.parseObject(body);
    if (!parsed)
        return parsed.error();
    const json &page = parsed.value();
    auto data = page.find("data");
    if (data == page.end() || !data->is_object())
        return malformed.error("'data' is missing or not an object");
    auto money = [&](const char *key, bool required) -> Result<std::optional<std::int64_t>> {
        auto it = data->find(key);
        if (it == data->end() || it->is_null()) {
            if (required)
                return malformed.error(std::string("'") + key + "' is missing");
            return std::optional<std::int64_t>();
        }
        auto micro = JsonFields::microUsd(*it, JsonFields::MoneyUnit::Dollars);
        if (!micro)
            return malformed.error(std::string("'") + key + "' is not an amount");
        return std::optional<std::int64_t>(*micro);
    };
    OpenRouterKey key;
    key.label = JsonFields::text(*data, "label");
    auto usage = money("usage", true);
    if (!usage)
        return usage.error();
    key.usageMicro = usage->value_or(0);
    auto limit = money("limit", false);
    if (!limit)
        return limit.error();
    key.limitMicro = limit.value();
    auto remaining = money("limit_remaining", false);
    if (!remaining)
        return remaining.error();
    key.limitRemainingMicro = key.limitMicro ? remaining.value() : std::nullopt;
    key.limitReset = JsonFields::text(*data, "limit_reset");
    for (auto [name, out] :
         {std::pair{"usage_daily", &key.usageDailyMicro}, std::pair{"usage_weekly", &key.usageWeeklyMicro},
          std::pair{"usage_monthly", &key.usageMonthlyMicro}}) {
        auto value = money(name, false);
        if (!value)
            return value.error();
        *out = value->value_or(0);
    }
    auto freeTier = data->find("is_free_tier");
    key.isFreeTier = freeTier != data->end() && freeTier->is_boolean() && freeTier->get<bool>();
    return key;
}

Result<OpenRouterKey> OpenRouterKeyReader::read()
{
    HttpExchange exchange{"GET", m_baseUrl + "/api/v1/key", {{"Authorization", "Bearer " + m_key}}, {}};
    auto answer = m_http.send(exchange);
    if (!answer && answer.error().code == "http.not_found") {
        exchange.url = m_baseUrl + "/api/v1/auth/key"; // the older path
        answer = m_http.send(exchange);
    }
    if (!answer)
        return answer.error();
    return parse(answer->body, m_sourceName);
}

} // namespace rl

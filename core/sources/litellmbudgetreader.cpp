#include "sources/litellmbudgetreader.h"
#include "boundedjson.h"

#include "net/percentencoding.h"
#include "sources/baseurl.h"
#include "sources/isotime.h"
#include "sources/jsonfields.h"
#include "sources/litellmerrors.h"
#include "sources/malformedpage.h"

#include <algorithm>

namespace rl {

using nlohmann::json;

namespace {

// Budgets come from /team/list, /key/list and /key/info: the problem says which.
Error malformedError(const std::string &sourceName, const std::string &what)
{
    return MalformedPage{"LiteLLM budgets", sourceName, "", "a LiteLLM proxy"}.error(what);
}

} // namespace

LiteLlmBudgetReader::LiteLlmBudgetReader(HttpClient &http, std::string sourceName, std::string baseUrl,
                                         std::string apiKey)
    : m_http(http), m_sourceName(std::move(sourceName)), m_baseUrl(trimmedBaseUrl(std::move(baseUrl))),
      m_apiKey(std::move(apiKey))
{}

Result<LiteLlmBudget> LiteLlmBudgetReader::parseBudget(const json &object, LiteLlmBudget::Kind kind,
                                                       const std::string &sourceName)
{
    const bool team = kind == LiteLlmBudget::Kind::Team;
    if (!object.is_object())
        return malformedError(sourceName, std::string(team ? "a team" : "a key") + " is not an object");
    LiteLlmBudget b;
    b.kind = kind;
    b.id = JsonFields::text(object, team ? "team_id" : "token");
    if (b.id.empty())
        return malformedError(sourceName, std::string(team ? "a team has no 'team_id'" : "a key has no 'token'"));
    const std::string where = (team ? "team '" : "key '") + b.id + "'";
    b.alias = JsonFields::text(object, team ? "team_alias" : "key_alias");
    if (!team)
        b.teamId = JsonFields::text(object, "team_id");
    auto money = [&](const json &from, const char *key, std::optional<std::int64_t> &out) -> std::optional<Error> {
        if (!JsonFields::has(from, key))
            return std::nullopt;
        auto micro = JsonFields::microUsd(from[key], JsonFields::MoneyUnit::Dollars);
        if (!micro)
            return malformedError(sourceName, where + ": '" + key + "' is not an amount");
        out = micro;
        return std::nullopt;
    };
    std::optional<std::int64_t> spend;
    if (auto error = money(object, "spend", spend))
        return *error;
    b.spendMicro = spend.value_or(0);
    if (auto error = money(object, "max_budget", b.maxBudgetMicro))
        return *error;
    if (auto table = object.find("litellm_budget_table"); table != object.end() && table->is_object()) {
        if (auto error = money(*table, "soft_budget", b.softBudgetMicro))
            return *error;
        if (!b.maxBudgetMicro) {
            if (auto error = money(*table, "max_budget", b.maxBudgetMicro))
                return *error;
        }
    }
    b.budgetDuration = JsonFields::text(object, "budget_duration");
    const std::string resetAt = JsonFields::text(object, "budget_reset_at");
    if (!resetAt.empty()) {
        b.budgetResetAtMs = IsoTime::parse(resetAt);
        if (!b.budgetResetAtMs)
            return malformedError(sourceName, where + ": 'budget_reset_at' is not an ISO-8601 time");
    }
    return b;
}

Result<std::vector<LiteLlmBudget>> LiteLlmBudgetReader::parseTeams(std::string_view body, const std::string &sourceName)
{
    if (auto shape = checkJsonShape(body, kSourcePageLimits); !shape)
        return malformedError(sourceName, "the team list has " + shape.error().message);
    json doc = json::parse(body.begin(), body.end(), nullptr, false);
    if (doc.is_discarded())
        return malformedError(sourceName, "the team list is not JSON");
    const json *list = &doc;
    if (doc.is_object()) {
        if (auto teams = doc.find("teams"); teams != doc.end())
            list = &*teams;
        else if (auto data = doc.find("data"); data != doc.end())
            list = &*data;
    }
    if (!list->is_array())
        return malformedError(sourceName, "the team list is not a list");
    std::vector<LiteLlmBudget> out;
    for (const json &team : *list) {
        auto b = parseBudget(team, LiteLlmBudget::Kind::Team, sourceName);
        if (!b)
            return b.error();
        out.push_back(std::move(b.value()));
    }
    return out;
}

Result<std::vector<LiteLlmBudget>> LiteLlmBudgetReader::teams()
{
    auto answer = m_http.send({"GET", m_baseUrl + "/team/list", {{"Authorization", "Bearer " + m_apiKey}}, {}});
    if (!answer)
        return LiteLlmErrors::explain(answer.error(), m_sourceName);
    return parseTeams(answer->body, m_sourceName);
}

Result<json> LiteLlmBudgetReader::keyInfo(const std::string &token)
{
    auto info = m_http.send(
        {"GET", m_baseUrl + "/key/info?key=" + percentEncoded(token), {{"Authorization", "Bearer " + m_apiKey}}, {}});
    if (!info)
        return LiteLlmErrors::explain(info.error(), m_sourceName);
    json doc = checkJsonShape(info->body, kSourcePageLimits) ? json::parse(info->body, nullptr, false) : json();
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("info") || !doc["info"].is_object())
        return malformedError(m_sourceName, "/key/info has no 'info' object");
    json object = doc["info"];
    if (!JsonFields::has(object, "token"))
        object["token"] = token;
    return object;
}

Result<std::vector<LiteLlmBudget>> LiteLlmBudgetReader::keys()
{
    std::vector<LiteLlmBudget> out;
    for (int page = 1; page <= 1000; ++page) {
        auto answer =
            m_http.send({"GET",
                         m_baseUrl + "/key/list?return_full_object=true&page=" + std::to_string(page) + "&size=100",
                         {{"Authorization", "Bearer " + m_apiKey}},
                         {}});
        if (!answer)
            return LiteLlmErrors::explain(answer.error(), m_sourceName);
        json doc = checkJsonShape(answer->body, kSourcePageLimits) ? json::parse(answer->body, nullptr, false) : json();
        if (doc.is_discarded() || !doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array())
            return malformedError(m_sourceName, "the key list has no 'keys' list");
        for (const json &key : doc["keys"]) {
            json object = key;
            // /key/list objects never carry the budget table that holds a key's soft budget (gateway-apis.md
            // §9); /key/info does. Keys listed by token only, and keys tied to a budget row, are read there.
            const bool tokenOnly = key.is_string();
            const bool hasBudgetRow =
                key.is_object() && (!key.contains("budget_id") || !JsonFields::text(key, "budget_id").empty());
            const bool tableJoined =
                key.is_object() && key.contains("litellm_budget_table") && key["litellm_budget_table"].is_object();
            if (tokenOnly || (hasBudgetRow && !tableJoined)) {
                const std::string token = tokenOnly ? key.get<std::string>() : JsonFields::text(key, "token");
                if (token.empty())
                    return malformedError(m_sourceName, "a key has no 'token'");
                auto info = keyInfo(token);
                if (!info)
                    return info.error();
                if (tokenOnly)
                    object = std::move(info.value());
                else if (auto table = info->find("litellm_budget_table"); table != info->end())
                    object["litellm_budget_table"] = *table;
            }
            auto b = parseBudget(object, LiteLlmBudget::Kind::Key, m_sourceName);
            if (!b)
                return b.error();
            out.push_back(std::move(b.value()));
        }
        const std::int64_t totalPages = std::max<std::int64_t>(1, JsonFields::count(doc, "total_pages"));
        if (page >= totalPages || doc["keys"].empty())
            return out;
    }
    return malformedError(m_sourceName, "the key list has more than 1000 pages");
}

Result<std::vector<LiteLlmBudget>> LiteLlmBudgetReader::readAll()
{
    auto teamBudgets = teams();
    if (!teamBudgets)
        return teamBudgets.error();
    auto keyBudgets = keys();
    if (!keyBudgets)
        return keyBudgets.error();
    std::vector<LiteLlmBudget> out = std::move(teamBudgets.value());
    for (auto &b : keyBudgets.value())
        out.push_back(std::move(b));
    return out;
}

} // namespace rl

#pragma once

#include "error.h"
#include "net/httpclient.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rl {

// A team's or a key's budget on a LiteLLM proxy (gateway-apis.md §1.5), money in micro-USD.
struct LiteLlmBudget {
    enum class Kind { Team, Key };
    Kind kind = Kind::Team;
    std::string id;     // team_id, or the key's token (its hash)
    std::string alias;  // team_alias / key_alias
    std::string teamId; // a key's team
    std::int64_t spendMicro = 0;
    std::optional<std::int64_t> maxBudgetMicro;  // nullopt: no budget
    std::optional<std::int64_t> softBudgetMicro; // keys: litellm_budget_table.soft_budget
    std::string budgetDuration;                  // "30s", "30m", "30h", "30d"; empty: never resets
    std::optional<std::int64_t> budgetResetAtMs; // UTC ms
};

// Reads a LiteLLM proxy's team and key budgets for the Budgets page: GET {base}/team/list (a list of
// teams; an object with "teams" or "data" is accepted too) and GET {base}/key/list?return_full_object=true
// page by page, the master key (or an admin virtual key) as bearer token. A key's soft budget lives in its
// budget row, which only GET /key/info?key= joins (`info.litellm_budget_table`): keys with a budget_id (or
// from a build that does not say) and keys listed only as tokens are read there one by one.
class LiteLlmBudgetReader {
public:
    LiteLlmBudgetReader(HttpClient &http, std::string sourceName, std::string baseUrl, std::string apiKey);

    Result<std::vector<LiteLlmBudget>> teams();
    Result<std::vector<LiteLlmBudget>> keys();
    Result<std::vector<LiteLlmBudget>> readAll(); // teams, then keys

    static Result<std::vector<LiteLlmBudget>> parseTeams(std::string_view body, const std::string &sourceName);
    // One team or key object (LiteLLM_TeamTable, LiteLLM_VerificationToken).
    static Result<LiteLlmBudget> parseBudget(const nlohmann::json &object, LiteLlmBudget::Kind kind,
                                             const std::string &sourceName);

private:
    Result<nlohmann::json> keyInfo(const std::string &token);

    HttpClient &m_http;
    std::string m_sourceName;
    std::string m_baseUrl;
    std::string m_apiKey;
};

} // namespace rl

#include "budget/budgetjson.h"

namespace rl {

nlohmann::ordered_json BudgetJson::write(const SpendBudget &b)
{
    return nlohmann::ordered_json{{"id", b.id},
                                  {"scope", b.scope.text()},
                                  {"each_user", b.eachUser},
                                  {"period", b.periodText()},
                                  {"limit_micro_usd", b.limitMicro},
                                  {"thresholds_percent", b.thresholdsPercent},
                                  {"enforce", b.enforcement.text()},
                                  {"rollover", b.rollover}};
}

} // namespace rl

#pragma once

#include "routing/policy.h"

#include <nlohmann/json.hpp>

#include <string>

namespace rl {

// Writes a Policy back as JSON in one canonical form: keys in the order of the documentation
// (schema, name, version, tiers, …), two-space indent, budget-guard steps by threshold. Writing what was
// read, then reading and writing again, gives the same bytes, so diffs between versions read well.
class PolicyWriter {
public:
    static nlohmann::ordered_json toJson(const Policy &policy);
    static std::string toText(const Policy &policy);
    static nlohmann::ordered_json conditionToJson(const Condition &condition);
};

} // namespace rl

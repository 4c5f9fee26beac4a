#pragma once

#include "routing/condition.h"
#include "routing/policyissue.h"

#include <nlohmann/json_fwd.hpp>

namespace rl {

// Turns a rule's `when` JSON into a Condition tree, reporting every problem into `issues`. Regexes are
// compiled here, once, so the engine never compiles anything per request.
class ConditionParser {
public:
    static constexpr int kMaxDepth = 16;

    explicit ConditionParser(PolicyIssues &issues) : m_issues(issues) {}

    Condition parse(const nlohmann::json &node, const std::string &path, int depth = 1);

private:
    void parseLeaf(Condition &leaf, const std::string &key, const nlohmann::json &operators, const std::string &path);
    void parseLeafValue(Condition &leaf, const nlohmann::json &value, const std::string &path);
    bool readNumber(Field field, const nlohmann::json &value, const std::string &path, double &out);
    bool readText(Field field, Op op, const nlohmann::json &value, const std::string &path, std::string &out);

    PolicyIssues &m_issues;
};

// "a string", "an array", …: how a message names what it found.
std::string jsonKindName(const nlohmann::json &value);

} // namespace rl

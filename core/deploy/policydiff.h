#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace rl {

// One difference between two policy documents, as a line a person reads ("rule `pin-4o` removed").
struct PolicyChange {
    std::string kind;   // added, removed, changed, moved
    std::string object; // "rule `easy-to-light`", "tier `light`", "budget guard", "fallback", "default tier", "name"
    std::string path;   // JSON pointer in B (or in A when removed)
    std::string text;   // the whole line
};

// What changed from one policy document to another, in words (docs/POLICY.md, "Comparing policies"). Works on
// JSON, valid or not, so a draft can be compared with a published version; the "version" key is ignored.
// Rules are matched by id and tiers by name; a rule that moved is found with a longest common subsequence of
// the rule ids, so one move is one line rather than a cascade.
class PolicyDiff {
public:
    static std::vector<PolicyChange> between(const nlohmann::ordered_json &a, const nlohmann::ordered_json &b);
    // [{"kind", "object", "path", "text"}, …]
    static nlohmann::ordered_json toJson(const std::vector<PolicyChange> &changes);
};

} // namespace rl

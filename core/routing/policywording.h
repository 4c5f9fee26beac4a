#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>

namespace rl {

// A policy document's parts in plain words, for the studio's cards, validation messages and version diffs
// (docs/POLICY.md, "Conditions in words"). Works on JSON rather than a parsed Policy so that an invalid draft
// can be shown too: nothing here throws; what cannot be read is shown as "?" with a reason in parentheses.
class PolicyWording {
public:
    // A field test in two parts, so a diff can say "complexity < 0.35 → < 0.40": `subject` is what is tested
    // ("complexity", "input", "no tag"; empty for "has tools"), `predicate` the rest ("< 0.35").
    struct LeafWords {
        std::string subject;
        std::string predicate;
        std::string text() const { return subject.empty() ? predicate : subject + " " + predicate; }
    };

    // "team is legal", "complexity < 0.35 and input ≤ 4,000 tokens", "always" for an empty `all`.
    static std::string condition(const nlohmann::ordered_json &when);
    // One `{"field": {"op": value}}` test.
    static LeafWords leaf(const nlohmann::ordered_json &leafCondition);
    // "→ tier light", "→ model openai/gpt-4o", "block: credentials in prompt".
    static std::string action(const nlohmann::ordered_json &then);
    // A whole rule: "hour (UTC) between 0 and 6 → tier light".
    static std::string rule(const nlohmann::ordered_json &rule);

    // "at 90 % of the budget: down 1 tier", "at 100 % of the budget: at most tier light".
    static std::string guardStep(const nlohmann::ordered_json &step);
    static std::string guardThreshold(const nlohmann::ordered_json &usedAtLeast); // "at 90 %"
    static std::string guardAction(const nlohmann::ordered_json &then);           // "down 1 tier"

    // "on timeout, rate limited, server error: up to 3 attempts, then down a tier"; null means the defaults.
    static std::string fallback(const nlohmann::ordered_json &fallback);
    static std::string fallbackErrors(const nlohmann::ordered_json &on);            // "on timeout, rate limited"
    static std::string fallbackAttempts(const nlohmann::ordered_json &maxAttempts); // "up to 3 attempts"
    static std::string fallbackAcross(const nlohmann::ordered_json &acrossTiers);   // "then down a tier"

    // A JSON pointer in words, naming rules and tiers as the document does:
    // "/rules/1/when/all/0/complexity/lt" → "rule `easy-to-light` › condition 1 › complexity <".
    static std::string path(std::string_view jsonPointer, const nlohmann::ordered_json &document);

    // Numbers as people write them: shortest form, optionally with thousands separators ("4,000").
    static std::string number(double value, bool thousands = false);
    // "$12,000", "$3,120.55" from a number of US dollars.
    static std::string usd(const nlohmann::ordered_json &value);
    // Any JSON value, short: strings as they are, other values as compact JSON cut at 80 characters.
    static std::string value(const nlohmann::ordered_json &value);
};

} // namespace rl

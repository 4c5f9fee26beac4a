#pragma once

#include "routing/condition.h"
#include "store/usagerecords.h"

#include <vector>

namespace rl {

// Answers, for one recorded event, the conditions a replay cannot evaluate from what was stored: a prompt
// condition from its recorded check (PromptChecks), and a condition on a feature the source did not record
// (or a prompt pattern that was never checked) from an assumption, which it notes. PolicyReplayer decides once
// per combination of assumptions, so an event's outcome is either known or a set of possible outcomes: never
// guessed. Conditions on the same prompt pattern get the same assumption.
class ReplayOracle final : public LeafOracle {
public:
    // Before each decision: the event, and the values to assume for the first unknown conditions met (those
    // met after them are assumed false).
    void start(const UsageEvent &event, const std::vector<bool> &assumed);

    std::optional<bool> leafValue(const Condition &leaf) override;

    // The unknown conditions the last decision met, in order, and what was assumed for each.
    const std::vector<const Condition *> &unknownLeaves() const { return m_leaves; }
    const std::vector<bool> &unknownValues() const { return m_values; }

private:
    bool recorded(const Condition &leaf, std::optional<bool> &promptResult) const;

    const UsageEvent *m_event = nullptr;
    const std::vector<bool> *m_assumed = nullptr;
    std::vector<const Condition *> m_leaves;
    std::vector<bool> m_values;
};

} // namespace rl

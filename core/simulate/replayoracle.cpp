#include "simulate/replayoracle.h"

namespace rl {

void ReplayOracle::start(const UsageEvent &event, const std::vector<bool> &assumed)
{
    m_event = &event;
    m_assumed = &assumed;
    m_leaves.clear();
    m_values.clear();
}

bool ReplayOracle::recorded(const Condition &leaf, std::optional<bool> &promptResult) const
{
    const UsageEvent &e = *m_event;
    switch (leaf.field) {
    case Field::Prompt:
        if (e.features.promptChecks)
            for (const PromptCheck &check : *e.features.promptChecks)
                if (check.key == leaf.promptKey) {
                    promptResult = check.held;
                    return true;
                }
        return false;
    case Field::HasTools: return e.features.hasTools.has_value();
    case Field::HasImages: return e.features.hasImages.has_value();
    case Field::Stream: return e.features.stream.has_value();
    case Field::Complexity: return e.complexity.has_value();
    case Field::Task: return !e.task.empty();
    case Field::RequestedModel: return !e.requestedModel.empty();
    default: return true; // team, user, app, tags, input tokens, hour and weekday are always kept
    }
}

std::optional<bool> ReplayOracle::leafValue(const Condition &leaf)
{
    std::optional<bool> promptResult;
    if (recorded(leaf, promptResult))
        return promptResult; // nullopt: evaluate on the request, which holds the recorded value
    if (leaf.field == Field::Prompt)
        for (std::size_t i = 0; i < m_leaves.size(); ++i)
            if (m_leaves[i]->field == Field::Prompt && m_leaves[i]->promptKey == leaf.promptKey)
                return m_values[i];
    const std::size_t index = m_leaves.size();
    const bool value = index < m_assumed->size() && (*m_assumed)[index];
    m_leaves.push_back(&leaf);
    m_values.push_back(value);
    return value;
}

} // namespace rl

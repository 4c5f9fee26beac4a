#include "routing/policy.h"

namespace rl {

int Policy::tierIndex(std::string_view tierName) const
{
    for (std::size_t i = 0; i < tiers.size(); ++i)
        if (tiers[i].name == tierName)
            return static_cast<int>(i);
    return -1;
}

int Policy::tierOfModel(std::string_view model, std::string_view *resolvedModel) const
{
    for (std::size_t i = 0; i < tiers.size(); ++i)
        for (const std::string &id : tiers[i].models)
            if (id == model) {
                if (resolvedModel)
                    *resolvedModel = id;
                return static_cast<int>(i);
            }
    // A bare name ("gpt-5") finds "openai/gpt-5" when exactly one listed model has that name.
    if (model.find('/') != std::string_view::npos)
        return -1;
    int found = -1;
    std::string_view foundId;
    for (std::size_t i = 0; i < tiers.size(); ++i)
        for (const std::string &id : tiers[i].models) {
            std::string_view bareName = std::string_view(id).substr(id.find('/') + 1);
            if (bareName != model)
                continue;
            if (found >= 0)
                return -1; // ambiguous
            found = static_cast<int>(i);
            foundId = id;
        }
    if (found >= 0 && resolvedModel)
        *resolvedModel = foundId;
    return found;
}

} // namespace rl

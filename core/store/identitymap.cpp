#include "store/identitymap.h"

#include <set>
#include <utility>

namespace rl {

namespace {

constexpr std::pair<IdentityField, std::string_view> kFieldNames[] = {
    {IdentityField::ApiKey, "api_key"}, {IdentityField::Project, "project"}, {IdentityField::App, "app"},
    {IdentityField::Tag, "tag"},        {IdentityField::Team, "team"},
};

} // namespace

std::string_view identityFieldName(IdentityField field)
{
    for (const auto &[value, name] : kFieldNames)
        if (value == field)
            return name;
    return "project";
}

std::optional<IdentityField> identityFieldFromName(std::string_view name)
{
    if (name == "workspace") // an Anthropic workspace is stored where an OpenAI project is
        return IdentityField::Project;
    for (const auto &[value, fieldName] : kFieldNames)
        if (fieldName == name)
            return value;
    return std::nullopt;
}

IdentityMap::IdentityMap(std::vector<IdentityMapping> mappings) : m_mappings(std::move(mappings)) {}

const IdentityMapping *IdentityMap::find(IdentityField field, std::string_view value) const
{
    if (value.empty())
        return nullptr;
    for (const IdentityMapping &mapping : m_mappings)
        if (mapping.field == field && mapping.value == value)
            return &mapping;
    return nullptr;
}

IdentityMap::Identity IdentityMap::resolve(const Record &record) const
{
    Identity identity{std::string(record.team), std::string(record.app)};
    if (m_mappings.empty())
        return identity;
    const IdentityMapping *match = find(IdentityField::ApiKey, record.apiKey);
    if (!match)
        match = find(IdentityField::Project, record.project);
    if (!match)
        match = find(IdentityField::App, record.app);
    if (!match && record.tags)
        for (const std::string &tag : *record.tags)
            if ((match = find(IdentityField::Tag, tag)))
                break;
    if (!match)
        match = find(IdentityField::Team, record.team);
    if (match) {
        if (!match->team.empty())
            identity.team = match->team;
        if (!match->app.empty())
            identity.app = match->app;
    }
    return identity;
}

std::vector<std::string> IdentityMap::problems(const std::vector<IdentityMapping> &mappings)
{
    std::vector<std::string> out;
    std::set<std::pair<IdentityField, std::string>> seen;
    for (const IdentityMapping &m : mappings) {
        const std::string what = std::string(identityFieldName(m.field)) + " \"" + m.value + "\"";
        if (m.value.empty())
            out.push_back("a " + std::string(identityFieldName(m.field))
                          + " mapping has no value: enter the project, key, tag or team it matches");
        else if (m.team.empty() && m.app.empty())
            out.push_back("the mapping of " + what + " names neither a team nor an app: give it one or remove it");
        if (!m.value.empty() && !seen.emplace(m.field, m.value).second)
            out.push_back(what + " is mapped twice: keep one of the two");
    }
    return out;
}

std::vector<std::string> splitStoredTags(std::string_view joined)
{
    std::vector<std::string> tags;
    std::size_t start = 0;
    while (start < joined.size()) {
        std::size_t comma = joined.find(',', start);
        if (comma == std::string_view::npos)
            comma = joined.size();
        if (comma > start)
            tags.emplace_back(joined.substr(start, comma - start));
        start = comma + 1;
    }
    return tags;
}

} // namespace rl

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rl {

// Which field of a source's record an identity mapping matches.
enum class IdentityField { ApiKey, Project, App, Tag, Team };

std::string_view identityFieldName(IdentityField field);
std::optional<IdentityField> identityFieldFromName(std::string_view name);

// "Records whose <field> is <value> belong to <team> (and <app>)": how an admin ties a provider project,
// an Anthropic workspace, an API key, a tag or a gateway's team name to a RouteLedger team and app.
struct IdentityMapping {
    IdentityField field = IdentityField::Project;
    std::string value;
    std::string team; // empty: keep the record's own team
    std::string app;  // empty: keep the record's own app
};

// The team and app a record is counted under. The most specific match wins: API key, then project or
// workspace, then app, then tag (the first of the record's tags that has a mapping), then the source's own
// team name. A record nothing matches keeps what its source said — unassigned when that is empty — and
// is never dropped.
class IdentityMap {
public:
    struct Identity {
        std::string team, app;
    };
    struct Record {
        std::string_view team, app, project, apiKey;
        const std::vector<std::string> *tags = nullptr;
    };

    IdentityMap() = default;
    explicit IdentityMap(std::vector<IdentityMapping> mappings);

    Identity resolve(const Record &record) const;
    const std::vector<IdentityMapping> &mappings() const { return m_mappings; }
    bool empty() const { return m_mappings.empty(); }

    // Problems that make a mapping list unusable (empty value, no target, the same field and value twice);
    // empty when it is fine.
    static std::vector<std::string> problems(const std::vector<IdentityMapping> &mappings);

private:
    const IdentityMapping *find(IdentityField field, std::string_view value) const;

    std::vector<IdentityMapping> m_mappings;
};

// Tags as the store keeps them ("a,b,c") back into a list.
std::vector<std::string> splitStoredTags(std::string_view joined);

} // namespace rl

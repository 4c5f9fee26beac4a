#pragma once

#include "error.h"
#include "net/httpclient.h"
#include "pricing/pricing.h"
#include "sources/usageconnector.h"
#include "store/sourcesettings.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rl {

// What the Sources page offers for each type of source.
struct SourceKindInfo {
    std::string id;              // stored in SourceSettings::kind
    std::string label;           // "OpenAI organization (Usage and Costs APIs)"
    std::string defaultUrl;      // filled in when the type is picked
    std::string credentialLabel; // "Admin key (sk-admin-…)"
    std::string help;            // one sentence on what is read
};

// The source types RouteLedger polls and the connectors each is read with. A source may have more than
// one connector (OpenAI: usage and costs); the second and later are stored as "<name> (<part>)", each
// with its own cursor.
class SourceKinds {
public:
    static const std::vector<SourceKindInfo> &all();
    static const SourceKindInfo *find(std::string_view id);

    // Everything wrong with these settings, each naming the fix; empty when they can be saved.
    static std::vector<std::string> problems(const SourceSettings &settings, bool hasSecret);

    static Result<std::vector<std::unique_ptr<UsageConnector>>>
    connectors(const SourceSettings &settings, const std::string &secret, HttpClient &http, const Pricing &pricing);
};

} // namespace rl

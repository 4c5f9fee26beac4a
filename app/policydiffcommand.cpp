#include "commandline.h"
#include "headlesscommands.h"

#include "boundedjson.h"
#include "deploy/policydiff.h"
#include "routing/policyparser.h"
#include "textfile.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace headless {

namespace {

const char *kDiffHelp = R"(Usage: routeledger policy diff A.json B.json [--json]

Says what changed from policy A to policy B, one line per change, in the words of the
policy studio (docs/POLICY.md, "Comparing policies"):

  rule `easy-to-light`: complexity < 0.35 → < 0.40
  rule `pin-4o` removed
  tier `light`: added `deepseek/deepseek-chat` after `openai/gpt-5-nano`

Rules are matched by id and tiers by name; the "version" key is ignored. Either file
may be an invalid draft, as long as it is JSON. Prints nothing when the two are the
same.

  --json   a JSON list instead: [{"kind", "object", "path", "text"}, ...], kind one of
           added, removed, changed, moved; path a JSON pointer in B (in A when removed)

Exits 0 after printing the changes (none or some), 1 when a file cannot be read or is
not JSON, 2 on wrong usage.
)";

std::string cleanJsonError(const std::string &what)
{
    // nlohmann prefixes "[json.exception.parse_error.101] ".
    if (auto bracket = what.find("] "); what.rfind("[json.exception", 0) == 0 && bracket != std::string::npos)
        return what.substr(bracket + 2);
    return what;
}

rl::Result<nlohmann::ordered_json> readDocument(const std::string &path)
{
    rl::Result<std::string> text = rl::readTextFile(path, rl::PolicyParser::kMaxDocumentBytes);
    if (!text)
        return rl::Error{"policy.unreadable", text.error().message, false};
    const rl::JsonLimits limits{rl::PolicyParser::kMaxJsonDepth, rl::PolicyParser::kMaxJsonValues};
    if (auto shape = rl::checkJsonShape(text.value(), limits); !shape)
        return rl::Error{"policy.not_json", path + ": " + shape.error().message + "; a policy never needs that", false};
    try {
        return nlohmann::ordered_json::parse(text.value());
    } catch (const nlohmann::json::exception &e) {
        return rl::Error{"policy.not_json", path + " is not JSON: " + cleanJsonError(e.what()), false};
    }
}

} // namespace

int policyDiff(const std::vector<std::string> &args)
{
    for (const std::string &arg : args)
        if (arg == "--help" || arg == "-h") {
            std::cout << kDiffHelp;
            return 0;
        }
    CommandLine line(args, {}, {"--json"});
    if (!line.ok() || line.positional().size() != 2) {
        std::cerr << (line.ok() ? "policy diff takes two policy files, A and B" : line.error()) << "\n" << kDiffHelp;
        return 2;
    }
    rl::Result<nlohmann::ordered_json> a = readDocument(line.positional()[0]);
    if (!a) {
        std::cerr << a.error().message << "\n";
        return 1;
    }
    rl::Result<nlohmann::ordered_json> b = readDocument(line.positional()[1]);
    if (!b) {
        std::cerr << b.error().message << "\n";
        return 1;
    }
    const std::vector<rl::PolicyChange> changes = rl::PolicyDiff::between(a.value(), b.value());
    if (line.has("--json")) {
        std::cout << rl::PolicyDiff::toJson(changes).dump(2, ' ', false,
                                                          nlohmann::ordered_json::error_handler_t::replace)
                  << "\n";
        return 0;
    }
    for (const rl::PolicyChange &change : changes)
        std::cout << change.text << "\n";
    return 0;
}

} // namespace headless

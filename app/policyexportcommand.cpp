#include "commandline.h"
#include "headlesscommands.h"

#include "deploy/litellmexport.h"
#include "deploy/portkeyexport.h"
#include "routing/policyparser.h"
#include "textfile.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <optional>

namespace headless {

namespace {

constexpr std::size_t kMaxRouterConfigBytes = 4u << 20;

const char *kExportHelp = R"(Usage: routeledger policy export --policy FILE --format litellm|portkey
                                [--router-config FILE] [--out FILE]

Writes a routeledger.policy/v1 document as another gateway's routing config (docs/EXPORT.md):
  litellm   a LiteLLM proxy config.yaml: each tier a model group of its models (in preference
            order), fallbacks between the tiers, `auto` an alias of the default tier
  portkey   a Portkey gateway config (JSON, for the x-portkey-config header): conditional
            routing on the metadata keys team, app, user and tier to one target per tier

--router-config  a routeledger-router config: its `providers` give each model's base URL and the
                 variable holding its key. Without it, or for a provider it does not list, the
                 export writes placeholders and says so.
--out            write there (atomically) instead of stdout.

Whatever the format cannot express (the complexity scorer, prompt regexes, the budget guard, …)
is listed on stderr, one "warning: …" line each, and never dropped silently.
Exit codes: 0 exported (with or without warnings), 1 the policy is invalid, nothing of its routing
can be expressed in the format, or a file cannot be read or written, 2 wrong usage.
)";

bool wantsHelp(const std::vector<std::string> &args)
{
    for (const std::string &arg : args)
        if (arg == "--help" || arg == "-h")
            return true;
    return false;
}

int usage(const std::string &message)
{
    std::cerr << message << "\n" << kExportHelp;
    return 2;
}

} // namespace

int policyExport(const std::vector<std::string> &args)
{
    if (wantsHelp(args)) {
        std::cout << kExportHelp;
        return 0;
    }
    CommandLine line(args, {"--policy", "--format", "--router-config", "--out"}, {});
    if (!line.ok())
        return usage(line.error());
    if (!line.positional().empty())
        return usage("policy export takes no positional arguments (\"" + line.positional().front() + "\")");
    if (!line.value("--policy") || !line.value("--format"))
        return usage("policy export needs --policy FILE and --format litellm|portkey");
    const std::string format = *line.value("--format");
    if (format != "litellm" && format != "portkey")
        return usage("--format must be litellm or portkey, not \"" + format + "\"");

    const std::string policyPath = *line.value("--policy");
    rl::PolicyLoad load = rl::PolicyParser::parseFile(policyPath);
    if (!load.ok()) {
        std::cerr << "policy " << policyPath << " is invalid:\n";
        for (const rl::PolicyIssue &issue : load.errors)
            std::cerr << issue.line() << "\n";
        return 1;
    }

    std::optional<nlohmann::json> routerConfig;
    if (auto path = line.value("--router-config")) {
        rl::Result<std::string> text = rl::readTextFile(*path, kMaxRouterConfigBytes);
        if (!text) {
            std::cerr << text.error().message << "\n";
            return 1;
        }
        try {
            routerConfig = nlohmann::json::parse(text.value());
        } catch (const nlohmann::json::parse_error &error) {
            std::cerr << *path << ": not JSON (" << error.what() << "); pass a routeledger-router config file\n";
            return 1;
        }
        if (!routerConfig->is_object()) {
            std::cerr << *path << ": a router config is a JSON object; pass a routeledger-router config file\n";
            return 1;
        }
    }

    const nlohmann::json *config = routerConfig ? &*routerConfig : nullptr;
    const rl::ExportResult result = format == "litellm" ? rl::LiteLlmExport::write(*load.policy, config)
                                                        : rl::PortkeyExport::write(*load.policy, config);
    for (const std::string &warning : result.warnings)
        std::cerr << "warning: " << warning << "\n";
    if (!result.meaningful) {
        std::cerr << "nothing of policy \"" << load.policy->name << "\"'s routing can be expressed as a "
                  << (format == "litellm" ? "LiteLLM" : "Portkey")
                  << " config (see the warnings); nothing was written\n";
        return 1;
    }
    if (auto out = line.value("--out")) {
        if (rl::Result<void> written = rl::writeFileAtomically(*out, result.text); !written) {
            std::cerr << written.error().message << "\n";
            return 1;
        }
        return 0;
    }
    std::cout << result.text << std::flush;
    return 0;
}

} // namespace headless

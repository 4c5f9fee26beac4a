#include "commandhelp.h"
#include "commandline.h"
#include "commandstore.h"
#include "headlesscommands.h"

#include "clock.h"
#include "deploy/policypusher.h"
#include "routing/policyparser.h"
#include "textfile.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace headless {

namespace {

const char *kPushHelp =
    R"help(Usage: routeledger policy push --policy FILE --router URL [--router URL …] [--token-env VAR]
                              [--store FILE] [--dry-run] [--shadow] [--json] [--connect-timeout-ms N]
       routeledger policy push --end-shadow --router URL [--router URL …] [--token-env VAR] [--store FILE]

Installs a policy on every router given, in parallel, and reads it back (docs/ROUTER.md, "Pushing
policies"). Per router: GET /admin/policy for its ETag, PUT /admin/policy with If-Match, then GET again
and compare canonical form with canonical form. A router that already holds this very policy is left
alone (applied). --dry-run asks each router to validate the policy (POST /admin/policy/validate) and
installs nothing.

--shadow installs the policy as the routers' shadow policy instead (/admin/policy?shadow): every request is
still decided and served by the live policy, and also decided by the shadow one, whose choice is only
recorded in the router's ledger (tier, model, rule, what it would have cost); its version need not be higher
than the live one's. --end-shadow ends shadow mode on the routers (DELETE /admin/policy?shadow). Neither
changes what the routers serve; both go into the audit log (policy.shadow, policy.shadow_end).

The policy is validated first: an invalid one is refused (exit 1, its errors on stderr) and nothing is
sent. The admin token comes from the environment variable VAR (default ROUTELEDGER_ADMIN_TOKEN), the
same token for every router given; it is never printed or stored.

One line per router on stdout, then its detail lines indented:
  URL  applied|rejected|stale|unreachable|readback_differs  summary
    detail (the router's error lines, or what differs between the pushed policy and the router's)
--json prints one JSON object a line instead: router, outcome, summary, details, router_version,
router_etag, elapsed_ms.

Every router's result goes into the store's audit log (action policy.push); a dry run records nothing.
When the store does not exist or cannot be opened the push still runs and stderr says that nothing was
recorded. Without --store: the app's store, )help";

const char *kPushHelpEnd = R"help(
Exit codes: 0 every router applied it and read it back identical (with --dry-run: every router would),
1 the policy is invalid or a router did not apply it (its line says why), 2 wrong arguments or no token.
)help";

constexpr const char *kDefaultTokenVariable = "ROUTELEDGER_ADMIN_TOKEN";

// --router may be given many times, which CommandLine (one value a flag) does not keep: taken out first.
std::vector<std::string> takeRouters(std::vector<std::string> &args, std::string &error)
{
    std::vector<std::string> routers;
    std::vector<std::string> rest;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--router") {
            if (i + 1 >= args.size()) {
                error = "--router needs a URL";
                return {};
            }
            routers.push_back(args[++i]);
        } else if (args[i].rfind("--router=", 0) == 0) {
            routers.push_back(args[i].substr(9));
        } else {
            rest.push_back(args[i]);
        }
    }
    args = std::move(rest);
    return routers;
}

bool isHttpUrl(const std::string &url)
{
    return (url.rfind("http://", 0) == 0 && url.size() > 7) || (url.rfind("https://", 0) == 0 && url.size() > 8);
}

// What goes into the audit entry beside the deployment record: the result in words, as JSON.
std::string auditDetails(const rl::PushResult &result, std::int64_t pushedVersion)
{
    nlohmann::ordered_json details = {{"policy_version", pushedVersion},
                                      {"outcome", rl::pushOutcomeName(result.outcome)},
                                      {"summary", result.summary},
                                      {"details", result.details},
                                      {"via", "routeledger policy push"}};
    return details.dump();
}

void printResult(const rl::PushResult &result, bool asJson);

// `policy push --end-shadow`: DELETE /admin/policy?shadow on every router, each result audited.
int endShadowMode(const std::vector<std::string> &routers, const char *token, const rl::PolicyPusher::Options &options,
                  const std::string &storePath, bool asJson)
{
    std::optional<rl::UsageStore> store;
    std::error_code ec;
    if (!storePath.empty() && std::filesystem::exists(storePath, ec))
        store = openCommandStore(storePath, false, "check the path");
    std::vector<rl::PushTarget> targets;
    for (const std::string &url : routers)
        targets.push_back({url, url, token, std::nullopt});
    const std::vector<rl::PushResult> results = rl::PolicyPusher(options).endShadow(targets);
    bool allEnded = true;
    for (const rl::PushResult &result : results) {
        printResult(result, asJson);
        allEnded = allEnded && result.outcome == rl::PushOutcome::Applied;
        if (store && result.outcome == rl::PushOutcome::Applied && result.routerVersion)
            if (auto saved = store->appendAudit({"policy.shadow_end", result.baseUrl, "", auditDetails(result, 0)});
                !saved)
                std::cerr << "note: not recorded in the audit log: " << saved.error().message << "\n";
    }
    return allEnded ? 0 : 1;
}

void printResult(const rl::PushResult &result, bool asJson)
{
    if (asJson) {
        nlohmann::ordered_json line = {
            {"router", result.baseUrl},      {"outcome", rl::pushOutcomeName(result.outcome)},
            {"summary", result.summary},     {"details", result.details},
            {"router_version", nullptr},     {"router_etag", result.routerEtag},
            {"elapsed_ms", result.elapsedMs}};
        if (result.routerVersion)
            line["router_version"] = *result.routerVersion;
        std::cout << line.dump() << "\n";
        return;
    }
    std::cout << result.baseUrl << "  " << rl::pushOutcomeName(result.outcome) << "  " << result.summary << "\n";
    for (const std::string &detail : result.details)
        std::cout << "    " << detail << "\n";
}

} // namespace

int policyPush(const std::vector<std::string> &args, const SourceCommandContext &context)
{
    const CommandHelp help(kPushHelp, kPushHelpEnd, context.defaultStore);
    if (help.printIfAsked(args))
        return 0;
    std::vector<std::string> rest = args;
    std::string routerError;
    const std::vector<std::string> routers = takeRouters(rest, routerError);
    if (!routerError.empty())
        return help.usageError(routerError);
    CommandLine line(rest, {"--policy", "--token-env", "--store", "--connect-timeout-ms"},
                     {"--dry-run", "--json", "--shadow", "--end-shadow"});
    if (!line.ok())
        return help.usageError(line.error());
    if (!line.positional().empty())
        return help.usageError("policy push takes no positional arguments (got \"" + line.positional().front()
                               + "\"); name the policy with --policy FILE");
    const bool endShadow = line.has("--end-shadow");
    if (endShadow && (line.has("--policy") || line.has("--shadow") || line.has("--dry-run")))
        return help.usageError("--end-shadow takes no --policy, --shadow or --dry-run: it only ends shadow mode");
    if (!endShadow && (!line.value("--policy") || line.value("--policy")->empty()))
        return help.usageError("policy push needs --policy FILE");
    if (routers.empty())
        return help.usageError("policy push needs at least one --router URL");
    for (const std::string &url : routers)
        if (!isHttpUrl(url))
            return help.usageError("--router " + url + " is not an http:// or https:// URL");
    const std::string tokenVariable = line.value("--token-env").value_or(kDefaultTokenVariable);
    if (tokenVariable.empty())
        return help.usageError("--token-env needs the name of an environment variable");
    const char *token = std::getenv(tokenVariable.c_str());
    if (token == nullptr || *token == '\0')
        return help.usageError("the environment variable " + tokenVariable
                               + (token == nullptr ? " is not set" : " is empty")
                               + ": set it to the routers' admin token, or name another one with --token-env VAR");
    rl::PolicyPusher::Options options;
    if (line.has("--connect-timeout-ms")) {
        auto ms = line.number("--connect-timeout-ms", 1, 600000);
        if (!ms)
            return help.usageError(line.error());
        options.connectTimeout = std::chrono::milliseconds(static_cast<std::int64_t>(*ms));
    }
    const std::optional<std::string> storeFlag = line.value("--store");
    if (storeFlag && storeFlag->empty())
        return help.usageError("--store needs a file name");

    if (endShadow)
        return endShadowMode(routers, token, options, storeFlag.value_or(context.defaultStore), line.has("--json"));
    const std::string policyFile = *line.value("--policy");
    rl::Result<std::string> text = rl::readTextFile(policyFile, rl::PolicyParser::kMaxDocumentBytes);
    if (!text) {
        std::cerr << text.error().message << "\n";
        return 1;
    }
    rl::PolicyLoad load = rl::PolicyParser::parse(text.value());
    if (!load.ok()) {
        std::cerr << "policy " << policyFile << " is invalid; nothing was pushed:\n";
        for (const rl::PolicyIssue &issue : load.errors)
            std::cerr << issue.line() << "\n";
        return 1;
    }

    const bool dryRun = line.has("--dry-run");
    const bool shadow = line.has("--shadow");
    // The audit log: opened before the push so that a refused store is said up front, written after.
    std::optional<rl::UsageStore> store;
    const std::string storePath = storeFlag.value_or(context.defaultStore);
    if (!dryRun) {
        std::error_code ec;
        if (storePath.empty() || !std::filesystem::exists(storePath, ec))
            std::cerr << "note: there is no store at " << (storePath.empty() ? "(none)" : storePath)
                      << "; the push runs, but nothing is recorded in an audit log (pass --store FILE)\n";
        else if (!(store = openCommandStore(storePath, false, "check the path")))
            std::cerr << "note: the store " << storePath
                      << " cannot be used (above); the push runs, but nothing is recorded in its audit log\n";
    }

    std::vector<rl::PushTarget> targets;
    for (const std::string &url : routers)
        targets.push_back({url, url, token, std::nullopt});
    const rl::PolicyPusher pusher(options);
    const std::vector<rl::PushResult> results = pusher.push(text.value(), targets, dryRun, shadow);

    bool allApplied = true;
    for (const rl::PushResult &result : results) {
        printResult(result, line.has("--json"));
        allApplied = allApplied && result.outcome == rl::PushOutcome::Applied;
    }
    if (store && shadow) {
        // A shadow policy is not what the router runs: the audit log says it, the deployments do not change.
        for (const rl::PushResult &result : results)
            if (auto saved = store->appendAudit(
                    {"policy.shadow", result.baseUrl, "", auditDetails(result, load.policy->version)});
                !saved)
                std::cerr << "note: the result for " << result.baseUrl
                          << " was not recorded in the audit log: " << saved.error().message << "\n";
        return allApplied ? 0 : 1;
    }
    if (store) {
        std::size_t recorded = 0;
        for (const rl::PushResult &result : results) {
            rl::RouterDeploymentRecord record;
            record.router = result.target;
            record.url = result.baseUrl;
            record.version = result.routerVersion.value_or(0);
            record.etag = result.routerEtag;
            record.atMs = rl::systemNowMs();
            record.outcome = std::string(rl::pushOutcomeName(result.outcome));
            if (auto saved = store->recordPolicyPush(record, auditDetails(result, load.policy->version)); !saved)
                std::cerr << "note: the result for " << result.baseUrl
                          << " was not recorded in the audit log: " << saved.error().message << "\n";
            else
                ++recorded;
        }
        if (recorded == results.size())
            std::cerr << "recorded " << recorded << " result(s) in the audit log of " << storePath << "\n";
    }
    return allApplied ? 0 : 1;
}

} // namespace headless

#include "commandline.h"
#include "headlesscommands.h"

#include "routing/decisionwriter.h"
#include "routing/policyparser.h"
#include "routing/requestreader.h"
#include "routing/routingengine.h"
#include "textfile.h"

#include <chrono>
#include <iostream>

namespace headless {

namespace {

constexpr std::size_t kMaxRequestBytes = 64u << 20;

const char *kValidateHelp = R"(Usage: routeledger validate-policy FILE

Checks a routeledger.policy/v1 document (docs/POLICY.md).
Prints "valid" and any warnings ("warning: PATH: message") and exits 0, or prints
one line per problem ("PATH: message", PATH a JSON pointer) and exits 1.
)";

const char *kRouteHelp = R"(Usage: routeledger route --policy FILE --request FILE [--compact]

Decides how a request would be routed, without calling any model, and prints the
decision as one JSON object: tier, model, rule, blocked, reason, budget_action,
complexity, task, input_tokens and the trail of rules tried.

The request is an OpenAI chat-completions body. It may carry a "routeledger" object
saying who asks: {"team", "user", "app", "tags": [], "budget_used": 0.93, "time_ms": …}.
Exits 1 when the policy or the request is invalid.
)";

bool wantsHelp(const std::vector<std::string> &args)
{
    for (const std::string &arg : args)
        if (arg == "--help" || arg == "-h")
            return true;
    return false;
}

} // namespace

int validatePolicy(const std::vector<std::string> &args)
{
    if (wantsHelp(args)) {
        std::cout << kValidateHelp;
        return 0;
    }
    CommandLine line(args, {}, {});
    if (!line.ok() || line.positional().size() != 1) {
        std::cerr << (line.ok() ? "validate-policy takes one policy file" : line.error()) << "\n" << kValidateHelp;
        return 2;
    }
    rl::PolicyLoad load = rl::PolicyParser::parseFile(line.positional().front());
    if (!load.ok()) {
        for (const rl::PolicyIssue &issue : load.errors)
            std::cout << issue.line() << "\n";
        return 1;
    }
    std::cout << "valid\n";
    for (const rl::PolicyIssue &issue : load.warnings)
        std::cout << "warning: " << issue.line() << "\n";
    return 0;
}

int route(const std::vector<std::string> &args)
{
    if (wantsHelp(args)) {
        std::cout << kRouteHelp;
        return 0;
    }
    CommandLine line(args, {"--policy", "--request"}, {"--compact"});
    if (!line.ok() || !line.value("--policy") || !line.value("--request") || !line.positional().empty()) {
        std::cerr << (line.ok() ? "route needs --policy FILE and --request FILE" : line.error()) << "\n" << kRouteHelp;
        return 2;
    }
    rl::PolicyLoad load = rl::PolicyParser::parseFile(*line.value("--policy"));
    if (!load.ok()) {
        std::cerr << "policy " << *line.value("--policy") << " is invalid:\n";
        for (const rl::PolicyIssue &issue : load.errors)
            std::cerr << issue.line() << "\n";
        return 1;
    }
    rl::Result<std::string> body = rl::readTextFile(*line.value("--request"), kMaxRequestBytes);
    if (!body) {
        std::cerr << body.error().message << "\n";
        return 1;
    }
    const auto now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    rl::Result<rl::RouteRequest> request = rl::RequestReader::fromText(body.value(), now);
    if (!request) {
        std::cerr << *line.value("--request") << ": " << request.error().message << "\n";
        return 1;
    }
    rl::RoutingEngine engine;
    rl::Decision decision = engine.decide(load.policy, request.value());
    std::cout << rl::DecisionWriter::toJson(decision, request.value()).dump(line.has("--compact") ? -1 : 2) << "\n";
    return 0;
}

} // namespace headless

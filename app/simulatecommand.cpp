#include "commandformat.h"
#include "commandhelp.h"
#include "commandline.h"
#include "commandstore.h"
#include "headlesscommands.h"

#include "boundedjson.h"
#include "routing/policyparser.h"
#include "simulate/simulation.h"
#include "simulate/simulationjson.h"
#include "textfile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace headless {

namespace {

const char *kHelp = R"help(Usage: routeledger simulate [--store FILE] --policy DRAFT.json [--baseline published|N|FILE]
                            --from DATE --to DATE [--team T] [--app A] [--source S] [--json]

Replays the requests stored for a period under a draft policy and under a baseline, side by side, through the
same routing core the router runs: spend, saving against sending everything to the frontier tier, tier mix,
blocked requests, the requests that move between tiers (in all, by the draft's rule and by team), the
estimated quality (from each request's complexity score) and the requests whose outcome cannot be known from
what was stored (a prompt pattern never checked on them, a feature their source did not record): those are
counted under "unknown" with the reason and the range of cost they span, never guessed. Nothing is written.

  --policy FILE     the draft (routeledger.policy/v1 JSON); an invalid draft is refused with its problems
  --baseline B      published (default): the store's latest published version; N: published version N;
                    or a policy FILE
  --from, --to      the first and the last day (YYYY-MM-DD, both included), cut in the store's time zone
  --team, --app     only that team's or app's requests
  --source S        only that source's requests (by default every source counted in spend)
  --json            one object: {"events", "compared", "baseline": {"cost_micro_usd",
                    "frontier_cost_micro_usd", "saved_micro_usd", "tiers": {name: requests}, "blocked",
                    "quality", …}, "draft": {…the same…}, "moved": [{"from", "to", "requests",
                    "cost_delta_micro_usd"}], "moved_by_rule", "moved_by_team", "unknown": {"requests",
                    "reasons": {reason: requests}, "draft_cost_micro_usd": {"min", "max"}, …}, "days"}
                    (docs/SIMULATE.md)

Without --store: the app's store, )help";

const char *kTail = R"help(
Exit codes: 0 done, 1 refused (an invalid policy, no published version, no requests in the period, an
unknown team, app or source, or the store refused; the reason on stderr), 2 wrong arguments.
)help";

void printText(const rl::SimulationResult &r, const std::string &from, const std::string &to)
{
    std::cout << "Replayed " << withCommas(r.events) << " requests of " << from << " to " << to;
    if (!r.team.empty())
        std::cout << ", team " << r.team;
    if (!r.app.empty())
        std::cout << ", app " << r.app;
    if (!r.source.empty())
        std::cout << ", source " << r.source;
    std::cout << "\nBaseline: " << r.baseline.name << " version " << r.baseline.version << "; draft: " << r.draft.name
              << " version " << r.draft.version << "\n\n";
    if (r.compared == 0) {
        std::cout << "No request could be compared: every one depends on something that was not recorded (below).\n";
    }
    std::vector<std::vector<std::string>> rows = {{"", "BASELINE", "DRAFT", "CHANGE"}};
    auto line = [&](const std::string &label, std::int64_t a, std::int64_t b, bool money) {
        const auto show = [&](std::int64_t v) { return money ? dollars(v) : withCommas(v); };
        rows.push_back({label, show(a), show(b), (b - a > 0 ? "+" : "") + show(b - a)});
    };
    line("Spend", r.baseline.costMicro, r.draft.costMicro, true);
    line("Saved vs all-frontier", r.baseline.savedMicro(), r.draft.savedMicro(), true);
    line("Blocked requests", r.baseline.blocked, r.draft.blocked, false);
    // The draft's tiers in order (most capable first), then the baseline's others, then blocked and none.
    std::vector<std::string> tiers = r.draft.tierNames;
    for (const std::string &tier : r.baseline.tierNames)
        if (std::find(tiers.begin(), tiers.end(), tier) == tiers.end())
            tiers.push_back(tier);
    for (const auto *figures : {&r.baseline, &r.draft})
        for (const auto &[tier, n] : figures->tierRequests)
            if (std::find(tiers.begin(), tiers.end(), tier) == tiers.end())
                tiers.push_back(tier);
    for (const std::string &tier : tiers) {
        const auto requests = [&](const rl::PolicyFigures &f) {
            auto found = f.tierRequests.find(tier);
            return found == f.tierRequests.end() ? std::int64_t{0} : found->second;
        };
        rows.push_back({"Tier " + tier, percent(requests(r.baseline), r.compared),
                        percent(requests(r.draft), r.compared),
                        withCommas(requests(r.draft) - requests(r.baseline)) + " requests"});
    }
    const auto rate = [](const rl::PolicyFigures &f) {
        return f.scoredRequests ? f.expectedShortfalls / static_cast<double>(f.scoredRequests) : 0.0;
    };
    char quality[3][32];
    std::snprintf(quality[0], sizeof quality[0], "%.2f %%", 100.0 * rate(r.baseline));
    std::snprintf(quality[1], sizeof quality[1], "%.2f %%", 100.0 * rate(r.draft));
    std::snprintf(quality[2], sizeof quality[2], "%+.2f points", 100.0 * (rate(r.draft) - rate(r.baseline)));
    rows.push_back({"Est. worse than frontier", quality[0], quality[1], quality[2]});
    std::cout << tableText(rows);
    std::cout << "\nRequests compared: " << withCommas(r.compared) << " of " << withCommas(r.events) << "\n";
    if (r.moved.empty())
        std::cout << "No request changes tier.\n";
    for (const rl::TierMove &move : r.moved)
        std::cout << "  " << move.from << " -> " << move.to << ": " << withCommas(move.requests) << " requests, "
                  << (move.costDeltaMicro > 0 ? "+" : "") << dollars(move.costDeltaMicro) << "\n";
    if (r.unknown.requests > 0) {
        std::cout << "\nUnknown: " << withCommas(r.unknown.requests)
                  << " requests whose outcome under the draft or the baseline depends on what was not recorded; "
                     "under the draft they cost between "
                  << dollars(r.unknown.draftCostMinMicro) << " and " << dollars(r.unknown.draftCostMaxMicro) << "\n";
        for (const auto &[reason, n] : r.unknown.reasons)
            std::cout << "  " << withCommas(n) << ": " << reason << "\n";
    }
}

} // namespace

int simulate(const std::vector<std::string> &args, const SourceCommandContext &context)
{
    const CommandHelp help(kHelp, kTail, context.defaultStore);
    if (help.printIfAsked(args))
        return 0;
    CommandLine line(args, {"--store", "--policy", "--baseline", "--from", "--to", "--team", "--app", "--source"},
                     {"--json"});
    if (!line.ok() || !line.positional().empty())
        return help.usageError(line.ok() ? "simulate takes no names; see --help" : line.error());
    for (const char *required : {"--policy", "--from", "--to"})
        if (!line.has(required))
            return help.usageError(std::string("simulate needs ") + required);
    std::optional<std::int64_t> fromDay, lastDay;
    if (const std::string wrong = readDays(line, fromDay, lastDay); !wrong.empty())
        return help.usageError(wrong);
    const std::string fromText = *line.value("--from"), toText = *line.value("--to");

    const std::string path = line.value("--store").value_or(context.defaultStore);
    if (path.empty())
        return help.usageError("--store needs a file name");
    std::optional<rl::HistoryReader> reader = openHistoryReader(path);
    if (!reader)
        return 1;

    auto draft = readPolicy(*line.value("--policy"));
    if (!draft) {
        std::cerr << draft.error().message << "\n";
        return 1;
    }
    const std::string baselineArg = line.value("--baseline").value_or("published");
    rl::Result<std::shared_ptr<const rl::Policy>> baseline = rl::Error{"", "", false};
    const bool versionNumber =
        !baselineArg.empty() && baselineArg.size() < 16
        && std::all_of(baselineArg.begin(), baselineArg.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (baselineArg == "published" || versionNumber) {
        std::optional<std::int64_t> version;
        if (versionNumber)
            version = std::stoll(baselineArg);
        auto document = reader->publishedPolicy(version);
        if (!document) {
            std::cerr << document.error().message << "\n";
            return 1;
        }
        if (!document.value()) {
            std::cerr << path
                      << (version ? " has no published version " + baselineArg
                                  : std::string(" has no published policy version"))
                      << "; publish one from the app's Policy studio, or pass --baseline FILE\n";
            return 1;
        }
        baseline =
            parsePolicy(*document.value(), "published version " + (version ? baselineArg : std::string("(latest)")));
    } else {
        baseline = readPolicy(baselineArg);
    }
    if (!baseline) {
        std::cerr << baseline.error().message << "\n";
        return 1;
    }

    rl::SimulationOptions options;
    options.scope.fromDay = *fromDay;
    options.scope.toDay = *lastDay + 1;
    options.scope.team = line.value("--team").value_or("");
    options.scope.app = line.value("--app").value_or("");
    options.scope.source = line.value("--source").value_or("");
    auto result = rl::Simulation::run(*reader, baseline.value(), draft.value(), options);
    if (!result) {
        std::cerr << result.error().message << "\n";
        return 1;
    }
    if (result->events == 0) {
        std::string scope;
        for (const auto &[flag, value] : {std::pair{"team", options.scope.team}, std::pair{"app", options.scope.app},
                                          std::pair{"source", options.scope.source}})
            if (!value.empty())
                scope += std::string(", ") + flag + " \"" + value + "\"";
        std::cerr << "No requests stored from " << fromText << " to " << toText << scope
                  << "; check the dates (cut in the store's time zone, " << reader->calendar().zoneName()
                  << ") and the names (routeledger policy list shows versions; the app's Teams page shows teams)\n";
        return 1;
    }
    if (line.has("--json"))
        std::cout << rl::toJsonText(rl::SimulationJson::write(result.value())) << "\n";
    else
        printText(result.value(), fromText, toText);
    return 0;
}

} // namespace headless

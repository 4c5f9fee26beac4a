#include "commandformat.h"
#include "commandhelp.h"
#include "commandline.h"
#include "commandstore.h"
#include "headlesscommands.h"

#include "boundedjson.h"
#include "routing/labelledprompts.h"
#include "routing/policyparser.h"
#include "routing/policywriter.h"
#include "simulate/calibration.h"
#include "simulate/calibrationjson.h"
#include "textfile.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace headless {

namespace {

const char *kHelp = R"help(Usage: routeledger calibrate [--store FILE] --policy DRAFT.json
                             (--target-frontier-share F | --target-quality Q) [--labels FILE]
                             [--from DATE --to DATE] [--team T] [--app A] [--source S] [--out FILE] [--json]

Proposes the complexity thresholds of a draft's rules (every "complexity" lt/lte/gt/gte/between in an enabled
rule) for a target, from the requests stored for a period, what clients said of their answers (feedback,
escalations) and, with --labels, labelled prompts. Each request is decided under the draft through the real
routing core in every band the thresholds cut, so any thresholds in the same order are priced exactly (at a
resolution of 0.001); the quality of each tier at each complexity is estimated from the scorer's figure,
corrected by the labels and then by the stored ratings (an escalated request counts as rated 0). Prints the
proposed thresholds and the predicted spend, frontier share and quality beside the draft's own. Reads only.

  --policy FILE                 the draft (routeledger.policy/v1 JSON) with at least one complexity threshold
  --target-frontier-share F     at most this share of requests on the frontier tier (0.2 = 20 %), with the best
                                quality that allows
  --target-quality Q            the cheapest thresholds whose predicted quality is at least Q of all-frontier
                                (0.95 = 95 %)
  --labels FILE                 labelled prompts (JSON Lines: prompt, strong_quality, weak_quality), e.g.
                                ../shared/data/routing-labels/train.jsonl
  --from, --to                  the first and the last day (YYYY-MM-DD, both included); by default the 30 days
                                up to the store's last day with requests
  --team, --app, --source       only those requests
  --out FILE                    also write the draft with the proposed thresholds (atomically)
  --json                        one object: {"target": {"kind", "value", "reached"}, "thresholds": [{"current",
                                "proposed", "rules", "paths"}], "current": {"thresholds", "cost_micro_usd",
                                "quality", "frontier_share", "tiers"}, "proposed": {…}, "curve": [{…}],
                                "events", "scored", "unscored", "unknown", "evidence": {"ratings",
                                "escalations", "labels"}} (docs/SIMULATE.md)

Without --store: the app's store, )help";

const char *kTail = R"help(
Exit codes: 0 done (also when no candidate meets the target: the closest is proposed and "reached" is false),
1 refused (an invalid draft, a draft without complexity thresholds, no requests in the period, unreadable
labels, an unwritable --out; the reason on stderr), 2 wrong arguments.
)help";

std::string thresholdText(double value)
{
    char text[16];
    std::snprintf(text, sizeof text, "%.3f", value);
    return text;
}

void printText(const rl::CalibrationResult &r, const std::string &from, const std::string &to)
{
    const bool quality = r.target.kind == rl::CalibrationTarget::Kind::Quality;
    std::cout << "Calibrated on " << withCommas(r.scored) << " scored requests of " << from << " to " << to;
    if (!r.team.empty())
        std::cout << ", team " << r.team;
    if (!r.app.empty())
        std::cout << ", app " << r.app;
    if (!r.source.empty())
        std::cout << ", source " << r.source;
    std::cout << " (" << withCommas(r.events) << " in all)\n";
    std::cout << "Target: " << (quality ? "quality at least " : "frontier share at most ")
              << percentText(r.target.value) << (quality ? " of all-frontier" : "") << " - "
              << (r.reached ? "reached" : "NOT reachable; the closest thresholds are proposed") << "\n";
    std::cout << "Evidence: " << withCommas(r.ratings) << " rated requests (" << withCommas(r.escalations)
              << " escalated), " << withCommas(r.labels) << " labelled prompts"
              << (r.ratings == 0 && r.labels == 0 ? "; quality is the scorer's own estimate" : "") << "\n\n";

    std::vector<std::vector<std::string>> thresholds = {{"THRESHOLD OF RULES", "CURRENT", "PROPOSED"}};
    for (std::size_t i = 0; i < r.thresholds.size(); ++i) {
        std::string rules;
        for (const std::string &rule : r.thresholds[i].rules)
            rules += (rules.empty() ? "" : ", ") + rule;
        thresholds.push_back({rules, thresholdText(r.thresholds[i].value), thresholdText(r.proposed.thresholds[i])});
    }
    std::cout << tableText(thresholds) << "\n";

    std::vector<std::vector<std::string>> rows = {{"", "CURRENT", "PROPOSED", "CHANGE"}};
    const std::int64_t delta = r.proposed.costMicro - r.current.costMicro;
    rows.push_back({"Spend", dollars(r.current.costMicro), dollars(r.proposed.costMicro),
                    (delta > 0 ? "+" : "") + dollars(delta)});
    char points[2][32];
    std::snprintf(points[0], sizeof points[0], "%+.1f points",
                  100.0 * (r.proposed.frontierShare - r.current.frontierShare));
    std::snprintf(points[1], sizeof points[1], "%+.2f points", 100.0 * (r.proposed.quality - r.current.quality));
    rows.push_back(
        {"Frontier share", percentText(r.current.frontierShare), percentText(r.proposed.frontierShare), points[0]});
    char q[2][32];
    std::snprintf(q[0], sizeof q[0], "%.2f %%", 100.0 * r.current.quality);
    std::snprintf(q[1], sizeof q[1], "%.2f %%", 100.0 * r.proposed.quality);
    rows.push_back({"Quality vs all-frontier", q[0], q[1], points[1]});
    std::int64_t known = 0;
    for (std::int64_t n : r.current.tierRequests)
        known += n;
    for (std::size_t t = 0; t < r.tierNames.size(); ++t)
        rows.push_back({"Tier " + r.tierNames[t], percent(r.current.tierRequests[t], known),
                        percent(r.proposed.tierRequests[t], known),
                        withCommas(r.proposed.tierRequests[t] - r.current.tierRequests[t]) + " requests"});
    std::cout << tableText(rows);
    if (r.unknown > 0) {
        std::cout << "\nLeft out: " << withCommas(r.unknown)
                  << " requests whose outcome under the draft depends on what was not recorded\n";
        for (const auto &[reason, n] : r.unknownReasons)
            std::cout << "  " << withCommas(n) << ": " << reason << "\n";
    }
}

} // namespace

int calibrate(const std::vector<std::string> &args, const SourceCommandContext &context)
{
    const CommandHelp help(kHelp, kTail, context.defaultStore);
    if (help.printIfAsked(args))
        return 0;
    CommandLine line(args,
                     {"--store", "--policy", "--target-frontier-share", "--target-quality", "--labels", "--from",
                      "--to", "--team", "--app", "--source", "--out"},
                     {"--json"});
    if (!line.ok() || !line.positional().empty())
        return help.usageError(line.ok() ? "calibrate takes no names; see --help" : line.error());
    if (!line.has("--policy"))
        return help.usageError("calibrate needs --policy");
    const bool byShare = line.has("--target-frontier-share"), byQuality = line.has("--target-quality");
    if (byShare == byQuality)
        return help.usageError("calibrate needs one target: --target-frontier-share F or --target-quality Q");
    rl::CalibrationTarget target;
    target.kind = byShare ? rl::CalibrationTarget::Kind::FrontierShare : rl::CalibrationTarget::Kind::Quality;
    const std::optional<double> value = line.number(byShare ? "--target-frontier-share" : "--target-quality", 0.0, 1.0);
    if (!value)
        return help.usageError(line.error() + " (a fraction: 0.2 means 20 %)");
    target.value = *value;
    std::optional<std::int64_t> fromDay, lastDay;
    if (const std::string wrong = readDays(line, fromDay, lastDay); !wrong.empty())
        return help.usageError(wrong + " (or leave both out for the last 30 days)");
    const std::string path = line.value("--store").value_or(context.defaultStore);
    if (path.empty())
        return help.usageError("--store needs a file name");

    const std::string policyPath = *line.value("--policy");
    rl::Result<std::string> draftText = rl::readTextFile(policyPath, rl::PolicyParser::kMaxDocumentBytes);
    if (!draftText) {
        std::cerr << draftText.error().message << "\n";
        return 1;
    }
    auto draft = parsePolicy(draftText.value(), policyPath);
    if (!draft) {
        std::cerr << draft.error().message << "\n";
        return 1;
    }
    std::vector<rl::LabelledPrompt> labels;
    if (const auto labelsPath = line.value("--labels")) {
        auto read = rl::LabelledPrompts::readFile(*labelsPath);
        if (!read) {
            std::cerr << read.error().message << "\n";
            return 1;
        }
        labels = std::move(read).value();
    }
    std::optional<rl::HistoryReader> reader = openHistoryReader(path);
    if (!reader)
        return 1;
    if (!fromDay) {
        auto last = reader->database().prepare("SELECT max(day) FROM usage_events");
        if (!last || !last->step() || last->isNull(0)) {
            std::cerr << path
                      << " holds no requests yet; poll a source (routeledger poll --once) or make a demo store\n";
            return 1;
        }
        lastDay = last->int64(0);
        fromDay = *lastDay - 29;
    }

    rl::CalibrationOptions options;
    options.scope.fromDay = *fromDay;
    options.scope.toDay = *lastDay + 1;
    options.scope.team = line.value("--team").value_or("");
    options.scope.app = line.value("--app").value_or("");
    options.scope.source = line.value("--source").value_or("");
    options.target = target;
    options.labels = line.has("--labels") ? &labels : nullptr;
    auto result = rl::Calibration::run(*reader, draft.value(), options);
    if (!result) {
        std::cerr << result.error().message << "\n";
        return 1;
    }
    if (const auto out = line.value("--out")) {
        auto document = rl::ComplexityThresholds::apply(nlohmann::ordered_json::parse(draftText.value()),
                                                        result->thresholds, result->proposed.thresholds);
        rl::Result<std::string> written = document ? rl::Result<std::string>(document->dump()) : document.error();
        if (written) {
            rl::PolicyLoad load = rl::PolicyParser::parse(written.value());
            written = load.ok()
                          ? rl::Result<std::string>(rl::PolicyWriter::toText(*load.policy))
                          : rl::Result<std::string>(rl::Error{"calibrate.out", load.errors.front().line(), false});
        }
        rl::Result<void> saved = written ? rl::writeFileAtomically(*out, written.value()) : written.error();
        if (!saved) {
            std::cerr << "The calibrated draft was not written to " << *out << ": " << saved.error().message << "\n";
            return 1;
        }
    }
    if (line.has("--json"))
        std::cout << rl::toJsonText(rl::CalibrationJson::write(result.value())) << "\n";
    else
        printText(result.value(), rl::OrgCalendar::dateText(*fromDay), rl::OrgCalendar::dateText(*lastDay));
    return 0;
}

} // namespace headless

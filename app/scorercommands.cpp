#include "commandline.h"
#include "headlesscommands.h"

#include "routing/labelledprompts.h"
#include "routing/routerevaluation.h"
#include "routing/scorertrainer.h"
#include "textfile.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <sstream>

namespace headless {

namespace {

const char *kTrainHelp = R"(Usage: routeledger train-scorer --labels FILE --out FILE [--held-out FRACTION]
                              [--validation FRACTION] [--epochs N] [--learning-rate X]
                              [--l2 X] [--l2-dense X] [--group-smoothing X]
                              [--price-ratio R]

Trains the complexity scorer on labelled prompts (JSON Lines with prompt,
strong_quality and weak_quality; see docs/SCORER.md) and writes its weights.
A stable share of the rows (--held-out, default 0.2; 0 trains on all) is kept out
of training and used to report APGR, CPT and the saving at 95 % quality against
the random and prompt-length baselines, overall and per source.

  --validation F       also keep a further share F of all rows out of training, by
                       the same hash, and report on it instead of the held-out rows:
                       for choosing settings without looking at the held-out rows
  --epochs N           passes over the training rows (default 40)
  --learning-rate X    AdaGrad's learning rate (default 0.002)
  --l2 X               L2 penalty on the hashed weights (default 0.02)
  --l2-dense X         L2 penalty on the dense weights (default 1; features standardised)
  --group-smoothing X  share of a row's target taken from the mean of its group, for ids
                       that name one ("mmlu/<subject>/<row>"; default 0.5, 0 for none)
)";

const char *kEvalHelp = R"(Usage: routeledger eval-scorer --labels FILE [--weights FILE] [--price-ratio R]
                             [--held-out FRACTION] [--json] [--by-source]
                             [--scores-out FILE]

Scores labelled prompts and reports RouteLLM's router metrics (arXiv 2406.18665):
APGR, CPT(50%), CPT(80%) and the cost saved at >= 95 % of the strong model's
quality for weak/strong price ratio R (default 0.1), beside two baselines: random
routing (its expected value) and prompt length alone.

  --weights FILE       scorer weights (default: the weights built into routeledger)
  --held-out F         evaluate only the rows train-scorer holds out with fraction F
  --json               print {"apgr","cpt50","cpt80","saving_at_95","n"} (fractions 0..1)
  --by-source          also report each source on its own (the labels' "source" field,
                       else the id up to its first '/'); with --json, adds
                       "by_source": {"<source>": {the same keys}, ...}
  --scores-out FILE    write the scorer's score for each evaluated line, one a line
)";

bool wantsHelp(const std::vector<std::string> &args)
{
    for (const std::string &arg : args)
        if (arg == "--help" || arg == "-h")
            return true;
    return false;
}

std::vector<rl::LabelledPrompt> heldOutRows(const std::vector<rl::LabelledPrompt> &rows, double fraction, bool wanted)
{
    std::vector<rl::LabelledPrompt> out;
    for (const rl::LabelledPrompt &row : rows)
        if (rl::LabelledPrompts::isHeldOut(row, fraction) == wanted)
            out.push_back(row);
    return out;
}

std::string percent(double share)
{
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%5.1f%%", share * 100.0);
    return buffer;
}

void printTable(const std::vector<std::pair<std::string, rl::RoutingQuality>> &rows, double priceRatio)
{
    std::printf("%-22s %6s %9s %9s %11s %11s\n", "router", "APGR", "CPT(50%)", "CPT(80%)", "strong@95%", "saving@95%");
    for (const auto &[name, m] : rows)
        std::printf("%-22s %6.3f %9s %9s %11s %11s\n", name.c_str(), m.apgr, percent(m.cpt50).c_str(),
                    percent(m.cpt80).c_str(), percent(m.strongShareAt95).c_str(), percent(m.savingAt95).c_str());
    const rl::RoutingQuality &first = rows.front().second;
    std::printf("n = %zu prompts; mean quality strong %.3f, weak %.3f; saving for weak/strong price ratio %.3g\n",
                first.n, first.strongQuality, first.weakQuality, priceRatio);
}

nlohmann::ordered_json metricsJson(const rl::RoutingQuality &m)
{
    return {{"apgr", m.apgr}, {"cpt50", m.cpt50}, {"cpt80", m.cpt80}, {"saving_at_95", m.savingAt95}, {"n", m.n}};
}

std::string sourceName(const std::string &source)
{
    return source.empty() ? "(no source)" : source;
}

// Scores the rows and evaluates scorer and baselines: a table, or JSON; with `bySource`, each source too.
int report(const rl::ComplexityScorer &scorer, const std::vector<rl::LabelledPrompt> &rows, double priceRatio,
           bool json, bool bySource, const std::optional<std::string> &scoresOut)
{
    std::vector<double> scores;
    std::vector<double> lengths;
    scores.reserve(rows.size());
    for (const rl::LabelledPrompt &row : rows) {
        scores.push_back(scorer.score(row.prompt).complexity);
        lengths.push_back(static_cast<double>(row.prompt.size()));
    }
    if (scoresOut) {
        std::ostringstream text;
        char buffer[32];
        for (double score : scores) {
            std::snprintf(buffer, sizeof buffer, "%.6f\n", score);
            text << buffer;
        }
        if (auto written = rl::writeFileAtomically(*scoresOut, text.str()); !written) {
            std::cerr << written.error().message << "\n";
            return 1;
        }
    }
    auto metrics = rl::RouterEvaluation::evaluate(rows, scores, priceRatio);
    if (!metrics) {
        std::cerr << metrics.error().message << "\n";
        return 1;
    }
    const std::vector<rl::SourceQuality> sources =
        bySource ? rl::RouterEvaluation::bySource(rows, scores, priceRatio) : std::vector<rl::SourceQuality>{};
    if (json) {
        nlohmann::ordered_json out = metricsJson(metrics.value());
        if (bySource) {
            nlohmann::ordered_json each = nlohmann::ordered_json::object();
            for (const rl::SourceQuality &source : sources) {
                if (source.quality)
                    each[source.source] = metricsJson(source.quality.value());
                else // no gap to recover on this source: the metrics are undefined, not zero
                    each[source.source] = {{"apgr", nullptr},  {"cpt50", nullptr},
                                           {"cpt80", nullptr}, {"saving_at_95", nullptr},
                                           {"n", source.n},    {"error", source.quality.error().message}};
            }
            out["by_source"] = std::move(each);
        }
        std::cout << out.dump() << "\n";
        return 0;
    }
    auto byLength = rl::RouterEvaluation::evaluate(rows, lengths, priceRatio);
    auto random = rl::RouterEvaluation::randomBaseline(rows, priceRatio);
    printTable({{"complexity scorer", metrics.value()},
                {"prompt length", byLength.value()},
                {"random (expected)", random.value()}},
               priceRatio);
    if (!bySource)
        return 0;
    const std::vector<rl::SourceQuality> lengthsBySource = rl::RouterEvaluation::bySource(rows, lengths, priceRatio);
    for (std::size_t i = 0; i < sources.size(); ++i) {
        std::printf("\nsource %s (%zu prompts):\n", sourceName(sources[i].source).c_str(), sources[i].n);
        if (!sources[i].quality) {
            std::printf("  %s\n", sources[i].quality.error().message.c_str());
            continue;
        }
        std::vector<rl::LabelledPrompt> sourceRows;
        for (const rl::LabelledPrompt &row : rows)
            if (row.source == sources[i].source)
                sourceRows.push_back(row);
        printTable({{"complexity scorer", sources[i].quality.value()},
                    {"prompt length", lengthsBySource[i].quality.value()},
                    {"random (expected)", rl::RouterEvaluation::randomBaseline(sourceRows, priceRatio).value()}},
                   priceRatio);
    }
    return 0;
}

} // namespace

int trainScorer(const std::vector<std::string> &args)
{
    if (wantsHelp(args)) {
        std::cout << kTrainHelp;
        return 0;
    }
    CommandLine line(args,
                     {"--labels", "--out", "--held-out", "--validation", "--epochs", "--price-ratio", "--learning-rate",
                      "--l2", "--l2-dense", "--group-smoothing"},
                     {});
    rl::ScorerTrainer::Options options;
    const double heldOut = line.number("--held-out", 0.0, 0.9).value_or(0.2);
    const double validation = line.number("--validation", 0.0, 0.9).value_or(0.0);
    const double epochs = line.number("--epochs", 1, 100).value_or(options.epochs);
    const double priceRatio = line.number("--price-ratio", 0.0, 1.0).value_or(0.1);
    // Read before the check below, so that a value out of range is an error rather than the default.
    options.learningRate = line.number("--learning-rate", 1e-5, 10).value_or(options.learningRate);
    options.l2 = line.number("--l2", 0, 1).value_or(options.l2);
    options.l2Dense = line.number("--l2-dense", 0, 1).value_or(options.l2Dense);
    options.groupSmoothing = line.number("--group-smoothing", 0, 1).value_or(options.groupSmoothing);
    if (!line.ok() || !line.value("--labels") || !line.value("--out") || !line.positional().empty()) {
        std::cerr << (line.ok() ? "train-scorer needs --labels FILE and --out FILE" : line.error()) << "\n"
                  << kTrainHelp;
        return 2;
    }
    auto rows = rl::LabelledPrompts::readFile(*line.value("--labels"));
    if (!rows) {
        std::cerr << rows.error().message << "\n";
        return 1;
    }
    if (heldOut + validation > 0.9) {
        std::cerr << "--held-out and --validation together may keep out at most 0.9 of the rows\n";
        return 2;
    }
    // The validation rows are the next slice of the same hash: held out at heldOut + validation, not at heldOut.
    const double kept = heldOut + validation;
    std::vector<rl::LabelledPrompt> training = kept > 0 ? heldOutRows(rows.value(), kept, false) : rows.value();
    options.epochs = static_cast<int>(epochs);
    rl::ComplexityScorer scorer = rl::ScorerTrainer::train(training, options, "2.1");
    std::string trainedOn = std::to_string(training.size()) + " prompts of " + *line.value("--labels");
    if (auto written = rl::writeFileAtomically(*line.value("--out"), scorer.toJson(trainedOn)); !written) {
        std::cerr << written.error().message << "\n";
        return 1;
    }
    std::cout << "trained on " << training.size() << " prompts; weights written to " << *line.value("--out") << "\n";
    if (validation > 0) {
        std::vector<rl::LabelledPrompt> validationRows;
        for (const rl::LabelledPrompt &row : rows.value())
            if (rl::LabelledPrompts::isHeldOut(row, kept) && !rl::LabelledPrompts::isHeldOut(row, heldOut))
                validationRows.push_back(row);
        std::cout << "validation (" << validationRows.size() << " prompts; the held-out rows not shown):\n";
        return report(scorer, validationRows, priceRatio, false, true, std::nullopt);
    }
    if (heldOut > 0) {
        std::vector<rl::LabelledPrompt> heldOutSet = heldOutRows(rows.value(), heldOut, true);
        std::cout << "held-out validation (" << heldOutSet.size() << " prompts):\n";
        return report(scorer, heldOutSet, priceRatio, false, true, std::nullopt);
    }
    return 0;
}

int evalScorer(const std::vector<std::string> &args)
{
    if (wantsHelp(args)) {
        std::cout << kEvalHelp;
        return 0;
    }
    CommandLine line(args, {"--labels", "--weights", "--price-ratio", "--held-out", "--scores-out"},
                     {"--json", "--by-source"});
    const double priceRatio = line.number("--price-ratio", 0.0, 1.0).value_or(0.1);
    const std::optional<double> heldOut = line.number("--held-out", 0.0, 0.9);
    if (!line.ok() || !line.value("--labels") || !line.positional().empty()) {
        std::cerr << (line.ok() ? "eval-scorer needs --labels FILE" : line.error()) << "\n" << kEvalHelp;
        return 2;
    }
    rl::ComplexityScorer scorer = rl::ComplexityScorer::builtIn();
    if (auto path = line.value("--weights")) {
        auto loaded = rl::ComplexityScorer::fromFile(*path);
        if (!loaded) {
            std::cerr << *path << ": " << loaded.error().message << "\n";
            return 1;
        }
        scorer = std::move(loaded).value();
    }
    auto rows = rl::LabelledPrompts::readFile(*line.value("--labels"));
    if (!rows) {
        std::cerr << rows.error().message << "\n";
        return 1;
    }
    std::vector<rl::LabelledPrompt> evaluated = heldOut ? heldOutRows(rows.value(), *heldOut, true) : rows.value();
    if (evaluated.empty()) {
        std::cerr << "no rows to evaluate; lower --held-out or check the labels file\n";
        return 1;
    }
    return report(scorer, evaluated, priceRatio, line.has("--json"), line.has("--by-source"),
                  line.value("--scores-out"));
}

} // namespace headless

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
                              [--epochs N] [--learning-rate X] [--l2 X] [--price-ratio R]

Trains the complexity scorer on labelled prompts (JSON Lines with prompt,
strong_quality and weak_quality; see docs/SCORER.md) and writes its weights.
A stable share of the rows (--held-out, default 0.2; 0 trains on all) is kept out
of training and used to report APGR, CPT and the saving at 95 % quality against
the random and prompt-length baselines.
)";

const char *kEvalHelp = R"(Usage: routeledger eval-scorer --labels FILE [--weights FILE] [--price-ratio R]
                             [--held-out FRACTION] [--json] [--scores-out FILE]

Scores labelled prompts and reports RouteLLM's router metrics (arXiv 2406.18665):
APGR, CPT(50%), CPT(80%) and the cost saved at >= 95 % of the strong model's
quality for weak/strong price ratio R (default 0.1), beside two baselines: random
routing (its expected value) and prompt length alone.

  --weights FILE       scorer weights (default: the weights built into routeledger)
  --held-out F         evaluate only the rows train-scorer holds out with fraction F
  --json               print {"apgr","cpt50","cpt80","saving_at_95","n"} (fractions 0..1)
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

// Scores the rows and evaluates scorer and baselines; prints the table unless `quiet`.
int report(const rl::ComplexityScorer &scorer, const std::vector<rl::LabelledPrompt> &rows, double priceRatio,
           bool json, const std::optional<std::string> &scoresOut)
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
    if (json) {
        nlohmann::ordered_json out{{"apgr", metrics->apgr},
                                   {"cpt50", metrics->cpt50},
                                   {"cpt80", metrics->cpt80},
                                   {"saving_at_95", metrics->savingAt95},
                                   {"n", metrics->n}};
        std::cout << out.dump() << "\n";
        return 0;
    }
    auto byLength = rl::RouterEvaluation::evaluate(rows, lengths, priceRatio);
    auto random = rl::RouterEvaluation::randomBaseline(rows, priceRatio);
    printTable({{"complexity scorer", metrics.value()},
                {"prompt length", byLength.value()},
                {"random (expected)", random.value()}},
               priceRatio);
    return 0;
}

} // namespace

int trainScorer(const std::vector<std::string> &args)
{
    if (wantsHelp(args)) {
        std::cout << kTrainHelp;
        return 0;
    }
    CommandLine line(args, {"--labels", "--out", "--held-out", "--epochs", "--price-ratio", "--learning-rate", "--l2"},
                     {});
    const double heldOut = line.number("--held-out", 0.0, 0.9).value_or(0.2);
    const double epochs = line.number("--epochs", 1, 100).value_or(10);
    const double priceRatio = line.number("--price-ratio", 0.0, 1.0).value_or(0.1);
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
    std::vector<rl::LabelledPrompt> training = heldOut > 0 ? heldOutRows(rows.value(), heldOut, false) : rows.value();
    rl::ScorerTrainer::Options options;
    options.epochs = static_cast<int>(epochs);
    options.learningRate = line.number("--learning-rate", 1e-5, 10).value_or(options.learningRate);
    options.l2 = line.number("--l2", 0, 1).value_or(options.l2);
    rl::ComplexityScorer scorer = rl::ScorerTrainer::train(training, options, "1");
    std::string trainedOn = std::to_string(training.size()) + " prompts of " + *line.value("--labels");
    if (auto written = rl::writeFileAtomically(*line.value("--out"), scorer.toJson(trainedOn)); !written) {
        std::cerr << written.error().message << "\n";
        return 1;
    }
    std::cout << "trained on " << training.size() << " prompts; weights written to " << *line.value("--out") << "\n";
    if (heldOut > 0) {
        std::vector<rl::LabelledPrompt> validation = heldOutRows(rows.value(), heldOut, true);
        std::cout << "held-out validation (" << validation.size() << " prompts):\n";
        return report(scorer, validation, priceRatio, false, std::nullopt);
    }
    return 0;
}

int evalScorer(const std::vector<std::string> &args)
{
    if (wantsHelp(args)) {
        std::cout << kEvalHelp;
        return 0;
    }
    CommandLine line(args, {"--labels", "--weights", "--price-ratio", "--held-out", "--scores-out"}, {"--json"});
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
    return report(scorer, evaluated, priceRatio, line.has("--json"), line.value("--scores-out"));
}

} // namespace headless

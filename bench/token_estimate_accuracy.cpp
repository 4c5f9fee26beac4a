// How far RouteLedger's token estimate is from real BPE tokenizers, and from the chars/4 rule of thumb.
// Input: JSON Lines {prompt, o200k, cl100k} from bench/tokenizer/count-tokens.mjs.
#include "routing/promptanalyzer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {

struct Errors {
    std::vector<double> relative; // |estimate - real| / real
    double signedSum = 0.0;

    void add(double estimate, double real)
    {
        if (real <= 0)
            return;
        relative.push_back(std::abs(estimate - real) / real);
        signedSum += (estimate - real) / real;
    }
    void print(const char *name)
    {
        std::sort(relative.begin(), relative.end());
        auto at = [&](double p) {
            return relative[std::min(relative.size() - 1, std::size_t(p * double(relative.size())))];
        };
        std::printf("  %-28s median |error| %5.1f%%   p90 %5.1f%%   mean signed %+5.1f%%\n", name, 100 * at(0.5),
                    100 * at(0.9), 100 * signedSum / double(relative.size()));
    }
};

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: token_estimate_accuracy COUNTS.jsonl\n");
        return 2;
    }
    std::ifstream in(argv[1]);
    Errors estimateO200k, estimateCl100k, quarterO200k, quarterCl100k;
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
        const auto row = nlohmann::json::parse(line);
        const std::string prompt = row["prompt"];
        const double estimate = double(rl::PromptAnalyzer::tokenEstimate(rl::PromptAnalyzer::scan(prompt)));
        const double quarter = std::ceil(double(prompt.size()) / 4.0);
        estimateO200k.add(estimate, row["o200k"]);
        estimateCl100k.add(estimate, row["cl100k"]);
        quarterO200k.add(quarter, row["o200k"]);
        quarterCl100k.add(quarter, row["cl100k"]);
        ++n;
    }
    std::printf("token estimate against real tokenizers, %zu prompts\n", n);
    estimateO200k.print("estimate vs o200k_base");
    estimateCl100k.print("estimate vs cl100k_base");
    quarterO200k.print("chars/4 vs o200k_base");
    quarterCl100k.print("chars/4 vs cl100k_base");
    return 0;
}

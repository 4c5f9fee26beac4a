#pragma once

#include "routing/complexityscorer.h"
#include "routing/labelledprompts.h"

#include <cstdint>
#include <vector>

namespace rl {

// Fits ComplexityScorer's linear model by logistic regression (AdaGrad, L2) on labelled prompts, then
// calibrates it so the score is the chance that the weak model falls short (docs/SCORER.md).
class ScorerTrainer {
public:
    struct Options {
        int epochs = 10;
        double learningRate = 0.002;
        double l2 = 0.02;
        std::uint64_t seed = 7;
    };

    static ComplexityScorer train(const std::vector<LabelledPrompt> &rows, const Options &options,
                                  const std::string &version);
};

} // namespace rl

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
        // Chosen by 5-fold cross-validation within the training 80 % of the labels (docs/SCORER.md).
        int epochs = 40;
        double learningRate = 0.002;
        double l2 = 0.02;        // on the hashed weights, at each occurrence
        double l2Dense = 1.0;    // on the dense weights (of standardised features), at each example
        bool standardize = true; // train dense features as z-scores; folded back into raw weights
        bool average = true;     // return the mean of the weights after each epoch of the second half
        std::uint64_t seed = 7;
    };

    static ComplexityScorer train(const std::vector<LabelledPrompt> &rows, const Options &options,
                                  const std::string &version);
};

} // namespace rl

#pragma once

#include "routing/complexityscorer.h"
#include "routing/labelledprompts.h"

#include <cstdint>
#include <string_view>
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
        // Share of each row's target taken from the mean of its group: the rows whose id names a group within
        // its source ("mmlu/<subject>/<row>"). One right or wrong answer is a noisy label; the subject's rate
        // is not (docs/SCORER.md). 0 trains on each row's own outcome alone.
        double groupSmoothing = 0.5;
        std::uint64_t seed = 7;
    };

    // The group of a row for Options::groupSmoothing: its id up to the last '/' when the id has at least two
    // ("mmlu/anatomy/12" -> "mmlu/anatomy"); empty (no group) for "gsm8k/12", ids without '/' and no id.
    static std::string_view groupOf(const LabelledPrompt &row);

    static ComplexityScorer train(const std::vector<LabelledPrompt> &rows, const Options &options,
                                  const std::string &version);
};

} // namespace rl

#pragma once

#include "error.h"

#include <string>
#include <vector>

namespace rl {

// One line of a routing-labels file (`prompt`, `strong_quality`, `weak_quality`; DESIGN.md §3.2).
struct LabelledPrompt {
    std::string id;
    std::string prompt;
    double strongQuality = 0.0;
    double weakQuality = 0.0;
    // The benchmark or traffic the row comes from: the `source` field, else the id up to its first '/'
    // ("gsm8k/12" → "gsm8k"), else empty. Metrics are reported per source with it.
    std::string source = {};
};

class LabelledPrompts {
public:
    // Reads JSON Lines; a bad line is an error naming its line number and field.
    static Result<std::vector<LabelledPrompt>> readFile(const std::string &path);

    // A stable split by a hash of the id (or the prompt when there is no id): the same rows are held out
    // on every machine and every run.
    static bool isHeldOut(const LabelledPrompt &row, double fraction);
};

} // namespace rl

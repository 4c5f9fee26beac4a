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

#pragma once

#include "routing/labelledprompts.h"

#include <string>
#include <vector>

namespace rl {

// How well a router routes, by RouteLLM's metrics (Ong et al., arXiv 2406.18665, §5): send the prompts a
// router scores highest to the strong model, sweep the threshold from none to all, and read off the curve
// of performance gap recovered, PGR = (quality - weak) / (strong - weak), against the share of strong
// calls. (Not the deployed router's counters, which are rl::RouterMetrics in router/.)
struct RoutingQuality {
    double apgr = 0.0;            // area under the PGR curve (0.5 for random routing)
    double cpt50 = 0.0;           // smallest share of strong calls reaching PGR 50 % (0..1)
    double cpt80 = 0.0;           // ... reaching PGR 80 %
    double strongShareAt95 = 0.0; // smallest share of strong calls reaching 95 % of the strong model's quality
    double savingAt95 = 0.0;      // cost saved against all-strong at that point, for the given price ratio
    std::size_t n = 0;
    double strongQuality = 0.0; // mean quality if everything went to the strong model
    double weakQuality = 0.0;
};

// The metrics of the rows of one source (LabelledPrompt::source; "" for rows without one).
struct SourceQuality {
    std::string source;
    std::size_t n = 0;
    Result<RoutingQuality> quality; // an error when the strong model is not better on this source
};

class RouterEvaluation {
public:
    // `scores` are the router's scores, higher meaning "needs the strong model"; ties are split evenly
    // (the expected value of breaking them at random). priceRatio is weak cost / strong cost.
    static Result<RoutingQuality> evaluate(const std::vector<LabelledPrompt> &rows, const std::vector<double> &scores,
                                           double priceRatio);
    // The expected metrics of routing at random: PGR grows linearly with the share of strong calls.
    static Result<RoutingQuality> randomBaseline(const std::vector<LabelledPrompt> &rows, double priceRatio);
    // evaluate() on each source's rows on their own, by source name. A router that only learned which
    // source is harder scores well overall but no better than random within a source.
    static std::vector<SourceQuality> bySource(const std::vector<LabelledPrompt> &rows,
                                               const std::vector<double> &scores, double priceRatio);
};

} // namespace rl

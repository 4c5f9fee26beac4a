#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace rl {

// The answer quality to expect from each tier at each complexity, for Calibrate: a score from 0 to 1 as clients
// rate answers (thumbs up 1, down 0). Three kinds of evidence, each weighed by how much of it there is:
// - the scorer's own figure: complexity is its estimate of the chance that the cheapest tier falls short of the
//   frontier tier (tiers between by rank), the starting point;
// - labelled prompts (a prompt, the frontier's and the cheapest tier's measured quality), scored by the scorer,
//   which correct that chance per complexity bin;
// - the store's feedback and escalations (an escalated request scores 0): what each tier's answers were rated at
//   each complexity, which outweigh the rest where there are enough of them.
// Each estimate is a mean with a prior of a fixed number of pseudo-observations, so a handful of ratings moves it
// only a little.
class QualityEstimator {
public:
    static constexpr int kBins = 20;               // complexity bins of 0.05
    static constexpr double kLabelPrior = 10.0;    // pseudo-labels per bin behind the scorer's figure
    static constexpr double kFeedbackPrior = 20.0; // pseudo-ratings per tier and bin behind the prior

    explicit QualityEstimator(int tierCount);

    // A labelled prompt at the scorer's complexity: did the cheapest tier fall short of the frontier's quality?
    void addLabel(double complexity, bool cheapestFellShort);
    // A client's rating (0–1) of an answer by `tier` (0 = frontier) to a request of this complexity.
    void addRating(int tier, double complexity, double score);
    // Computes the table; call after the last add.
    void finish();

    // The expected rating of `tier`'s answer at this complexity.
    double quality(int tier, double complexity) const;
    // The chance that the cheapest tier falls short of the frontier at this complexity (labels and scorer).
    double cheapestShortfall(double complexity) const;

    std::int64_t labels() const { return m_labels; }
    std::int64_t ratings() const { return m_ratings; }
    int tierCount() const { return m_tiers; }
    static int binOf(double complexity);

private:
    struct Sum {
        double n = 0, total = 0;
    };
    int m_tiers;
    std::array<Sum, kBins> m_labelBins{};
    std::vector<std::array<Sum, kBins>> m_ratingBins; // per tier
    std::vector<std::array<double, kBins>> m_quality; // per tier, after finish()
    std::array<double, kBins> m_shortfall{};
    std::int64_t m_labels = 0, m_ratings = 0;
};

} // namespace rl

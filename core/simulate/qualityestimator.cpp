#include "simulate/qualityestimator.h"

#include <algorithm>

namespace rl {

QualityEstimator::QualityEstimator(int tierCount)
    : m_tiers(std::max(1, tierCount)), m_ratingBins(static_cast<std::size_t>(m_tiers)),
      m_quality(static_cast<std::size_t>(m_tiers))
{
    finish();
}

int QualityEstimator::binOf(double complexity)
{
    return std::clamp(static_cast<int>(complexity * kBins), 0, kBins - 1);
}

void QualityEstimator::addLabel(double complexity, bool cheapestFellShort)
{
    Sum &bin = m_labelBins[static_cast<std::size_t>(binOf(complexity))];
    bin.n += 1;
    bin.total += cheapestFellShort ? 1 : 0;
    ++m_labels;
}

void QualityEstimator::addRating(int tier, double complexity, double score)
{
    if (tier < 0 || tier >= m_tiers)
        return;
    Sum &bin = m_ratingBins[static_cast<std::size_t>(tier)][static_cast<std::size_t>(binOf(complexity))];
    bin.n += 1;
    bin.total += std::clamp(score, 0.0, 1.0);
    ++m_ratings;
}

void QualityEstimator::finish()
{
    // The frontier's own rating over every bin scales the prior: clients who rate the best answers 0.9 will
    // rate the others below that too.
    Sum frontier;
    for (const Sum &bin : m_ratingBins.front()) {
        frontier.n += bin.n;
        frontier.total += bin.total;
    }
    const double frontierQuality = (kFeedbackPrior + frontier.total) / (kFeedbackPrior + frontier.n);
    for (int b = 0; b < kBins; ++b) {
        const auto bi = static_cast<std::size_t>(b);
        const double scorer = (b + 0.5) / kBins;
        m_shortfall[bi] = (kLabelPrior * scorer + m_labelBins[bi].total) / (kLabelPrior + m_labelBins[bi].n);
        for (int t = 0; t < m_tiers; ++t) {
            const auto ti = static_cast<std::size_t>(t);
            const double rank = m_tiers > 1 ? static_cast<double>(t) / (m_tiers - 1) : 0.0;
            const double prior = frontierQuality * (1.0 - m_shortfall[bi] * rank);
            const Sum &seen = m_ratingBins[ti][bi];
            m_quality[ti][bi] = (kFeedbackPrior * prior + seen.total) / (kFeedbackPrior + seen.n);
        }
    }
}

double QualityEstimator::quality(int tier, double complexity) const
{
    const int t = std::clamp(tier, 0, m_tiers - 1);
    return m_quality[static_cast<std::size_t>(t)][static_cast<std::size_t>(binOf(complexity))];
}

double QualityEstimator::cheapestShortfall(double complexity) const
{
    return m_shortfall[static_cast<std::size_t>(binOf(complexity))];
}

} // namespace rl

#include "routing/routerevaluation.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace rl {

namespace {

struct Point {
    double share;   // share of calls sent to the strong model
    double quality; // mean quality at that share
};

// The smallest share at which `value(point)` reaches `target`, reading the piecewise-linear curve.
template <typename Value>
double firstShareReaching(const std::vector<Point> &curve, double target, Value value)
{
    if (value(curve.front()) >= target)
        return curve.front().share;
    for (std::size_t i = 1; i < curve.size(); ++i) {
        const double before = value(curve[i - 1]);
        const double after = value(curve[i]);
        if (after < target)
            continue;
        const double t = after > before ? (target - before) / (after - before) : 1.0;
        return curve[i - 1].share + t * (curve[i].share - curve[i - 1].share);
    }
    return 1.0;
}

} // namespace

Result<RoutingQuality> RouterEvaluation::evaluate(const std::vector<LabelledPrompt> &rows,
                                                  const std::vector<double> &scores, double priceRatio)
{
    if (rows.empty() || rows.size() != scores.size())
        return Error{"eval.input", "need one score per labelled prompt", false};
    RoutingQuality metrics;
    metrics.n = rows.size();
    const double n = static_cast<double>(rows.size());
    for (const LabelledPrompt &row : rows) {
        metrics.strongQuality += row.strongQuality / n;
        metrics.weakQuality += row.weakQuality / n;
    }
    const double gap = metrics.strongQuality - metrics.weakQuality;
    if (gap <= 0.0)
        return Error{"eval.no_gap",
                     "the strong model is not better than the weak one on these labels, so the "
                     "performance gap recovered is undefined; use labels where it is",
                     false};

    std::vector<std::size_t> order(rows.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });

    // Route whole groups of equal scores at once: a threshold cannot split a tie, and the straight line
    // between group ends is the expected curve when ties are broken at random.
    std::vector<Point> curve{{0.0, metrics.weakQuality}};
    double quality = metrics.weakQuality;
    std::size_t i = 0;
    while (i < order.size()) {
        std::size_t j = i;
        while (j < order.size() && scores[order[j]] == scores[order[i]]) {
            const LabelledPrompt &row = rows[order[j]];
            quality += (row.strongQuality - row.weakQuality) / n;
            ++j;
        }
        curve.push_back({static_cast<double>(j) / n, quality});
        i = j;
    }

    auto pgr = [&](const Point &p) { return (p.quality - metrics.weakQuality) / gap; };
    for (std::size_t k = 1; k < curve.size(); ++k)
        metrics.apgr += (curve[k].share - curve[k - 1].share) * (pgr(curve[k]) + pgr(curve[k - 1])) / 2.0;
    metrics.cpt50 = firstShareReaching(curve, 0.5, pgr);
    metrics.cpt80 = firstShareReaching(curve, 0.8, pgr);
    const double target = 0.95 * metrics.strongQuality;
    metrics.strongShareAt95 = firstShareReaching(curve, target - 1e-12, [](const Point &p) { return p.quality; });
    metrics.savingAt95 = (1.0 - metrics.strongShareAt95) * (1.0 - priceRatio);
    return metrics;
}

std::vector<SourceQuality> RouterEvaluation::bySource(const std::vector<LabelledPrompt> &rows,
                                                      const std::vector<double> &scores, double priceRatio)
{
    std::map<std::string, std::pair<std::vector<LabelledPrompt>, std::vector<double>>> groups;
    for (std::size_t i = 0; i < rows.size() && i < scores.size(); ++i) {
        auto &[groupRows, groupScores] = groups[rows[i].source];
        groupRows.push_back(rows[i]);
        groupScores.push_back(scores[i]);
    }
    std::vector<SourceQuality> out;
    for (const auto &[source, group] : groups)
        out.push_back({source, group.first.size(), evaluate(group.first, group.second, priceRatio)});
    return out;
}

Result<RoutingQuality> RouterEvaluation::randomBaseline(const std::vector<LabelledPrompt> &rows, double priceRatio)
{
    // One big tie is exactly random routing in expectation.
    return evaluate(rows, std::vector<double>(rows.size(), 0.0), priceRatio);
}

} // namespace rl

#pragma once

#include "simulate/qualityestimator.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace rl {

struct CalibrationTarget {
    enum class Kind { FrontierShare, Quality };
    Kind kind = Kind::Quality;
    double value = 0.95;
};

// What a draft would do with a period's requests under one choice of complexity thresholds.
struct CalibrationPoint {
    std::vector<double> thresholds; // ascending, in the order of CalibrationResult::thresholds
    std::int64_t costMicro = 0;
    // The expected rating of the scored requests' answers, relative to all of them on the frontier tier (1 = as
    // good as all-frontier).
    double quality = 1.0;
    double frontierShare = 0.0; // of the known requests (blocked ones included)
    // Requests per tier (the draft's, most capable first), then blocked, then "none" (a pinned model outside the
    // tiers).
    std::vector<std::int64_t> tierRequests;
};

// Every request's outcome in each band of the draft's thresholds, summed per complexity bin of 0.001: the
// figures of any thresholds (in the same order) are then sums over ranges of bins, so the calibration searches
// hundreds of thousands of candidates in milliseconds, after one pass over the store. Exact for thresholds on
// the bins' grid.
class CalibrationTable {
public:
    static constexpr int kBins = 1000;
    static constexpr std::int64_t kMaxCandidates = 2'000'000;

    CalibrationTable(int thresholdCount, int tierCount);

    // The outcome of a scored request if its complexity fell in `band`: `slot` is its tier, tierCount for
    // blocked, tierCount + 1 for a model outside the tiers.
    void add(double complexity, int band, int slot, std::int64_t costMicro);
    // A request without a complexity: the same under every candidate.
    void addUnscored(int slot, std::int64_t costMicro);
    void merge(const CalibrationTable &other);
    // Weighs the outcomes with the expected quality of each tier; call once after the last add.
    void finish(const QualityEstimator &quality);

    int thresholdCount() const { return m_thresholds; }
    int slotCount() const { return m_slots; }
    CalibrationPoint evaluate(const std::vector<double> &thresholds) const;
    // The best candidate for the target: for a quality, the cheapest that reaches it; for a frontier share, the
    // best quality within it. Thresholds on a grid of 0.001 (coarser from three thresholds on). `reached` is
    // false when no candidate meets the target: the result is then the closest one.
    CalibrationPoint best(const CalibrationTarget &target, bool &reached) const;
    // The cheapest candidate for each level of quality (the Pareto front of cost against quality), cost
    // ascending, at most about `maxPoints` of them.
    std::vector<CalibrationPoint> curve(int maxPoints) const;
    // The grid the searches try: thresholds at multiples of this many bins.
    int gridStep() const;

private:
    struct Totals {
        std::int64_t cost = 0, frontier = 0, known = 0;
        double quality = 0, reference = 0;
    };
    std::size_t cell(int band, int bin) const;
    Totals totals(const std::vector<int> &cuts) const; // cuts: bin indices, ascending
    void forEachCandidate(const std::function<void(const std::vector<int> &, const Totals &)> &visit) const;
    static double qualityOf(const Totals &t) { return t.reference > 0 ? t.quality / t.reference : 1.0; }

    int m_thresholds, m_tiers, m_slots;
    // Per band and bin: requests per slot, cost, and after finish() the expected ratings; then prefix sums over
    // bins (index bin + 1 holds bins 0…bin).
    std::vector<std::int64_t> m_requests; // (band, bin, slot)
    std::vector<std::int64_t> m_cost;     // (band, bin)
    std::vector<double> m_quality, m_reference;
    std::vector<std::int64_t> m_unscored; // per slot
    std::int64_t m_unscoredCost = 0;
};

} // namespace rl

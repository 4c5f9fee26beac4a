#include "simulate/calibrationtable.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rl {

namespace {

double choose(int n, int k)
{
    double c = 1;
    for (int i = 0; i < k; ++i)
        c = c * (n - i) / (i + 1);
    return c;
}

} // namespace

CalibrationTable::CalibrationTable(int thresholdCount, int tierCount)
    : m_thresholds(thresholdCount), m_tiers(tierCount), m_slots(tierCount + 2),
      m_requests(static_cast<std::size_t>(thresholdCount + 1) * kBins * static_cast<std::size_t>(m_slots), 0),
      m_cost(static_cast<std::size_t>(thresholdCount + 1) * kBins, 0), m_unscored(static_cast<std::size_t>(m_slots), 0)
{}

std::size_t CalibrationTable::cell(int band, int bin) const
{
    return static_cast<std::size_t>(band) * kBins + static_cast<std::size_t>(bin);
}

void CalibrationTable::add(double complexity, int band, int slot, std::int64_t costMicro)
{
    const int bin = std::clamp(static_cast<int>(complexity * kBins), 0, kBins - 1);
    ++m_requests[cell(band, bin) * static_cast<std::size_t>(m_slots) + static_cast<std::size_t>(slot)];
    m_cost[cell(band, bin)] += costMicro;
}

void CalibrationTable::addUnscored(int slot, std::int64_t costMicro)
{
    ++m_unscored[static_cast<std::size_t>(slot)];
    m_unscoredCost += costMicro;
}

void CalibrationTable::merge(const CalibrationTable &other)
{
    for (std::size_t i = 0; i < m_requests.size(); ++i)
        m_requests[i] += other.m_requests[i];
    for (std::size_t i = 0; i < m_cost.size(); ++i)
        m_cost[i] += other.m_cost[i];
    for (std::size_t i = 0; i < m_unscored.size(); ++i)
        m_unscored[i] += other.m_unscored[i];
    m_unscoredCost += other.m_unscoredCost;
}

void CalibrationTable::finish(const QualityEstimator &quality)
{
    // Prefix sums over bins, per band: index bin + 1 holds bins 0…bin, so a range of bins is one subtraction.
    const int bands = m_thresholds + 1;
    const auto slots = static_cast<std::size_t>(m_slots);
    std::vector<std::int64_t> requests(static_cast<std::size_t>(bands) * (kBins + 1) * slots, 0);
    std::vector<std::int64_t> cost(static_cast<std::size_t>(bands) * (kBins + 1), 0);
    m_quality.assign(cost.size(), 0.0);
    m_reference.assign(cost.size(), 0.0);
    for (int band = 0; band < bands; ++band) {
        for (int bin = 0; bin < kBins; ++bin) {
            const std::size_t from = static_cast<std::size_t>(band) * (kBins + 1) + static_cast<std::size_t>(bin);
            const double complexity = (bin + 0.5) / kBins;
            double rated = 0, reference = 0;
            for (std::size_t slot = 0; slot < slots; ++slot) {
                const std::int64_t n = m_requests[cell(band, bin) * slots + slot];
                requests[(from + 1) * slots + slot] = requests[from * slots + slot] + n;
                if (slot < static_cast<std::size_t>(m_tiers)) {
                    rated += static_cast<double>(n) * quality.quality(static_cast<int>(slot), complexity);
                    reference += static_cast<double>(n) * quality.quality(0, complexity);
                }
            }
            cost[from + 1] = cost[from] + m_cost[cell(band, bin)];
            m_quality[from + 1] = m_quality[from] + rated;
            m_reference[from + 1] = m_reference[from] + reference;
        }
    }
    m_requests = std::move(requests);
    m_cost = std::move(cost);
}

CalibrationTable::Totals CalibrationTable::totals(const std::vector<int> &cuts) const
{
    Totals t;
    t.cost = m_unscoredCost;
    t.frontier = m_unscored.front();
    for (std::int64_t n : m_unscored)
        t.known += n;
    const auto slots = static_cast<std::size_t>(m_slots);
    int low = 0;
    for (int band = 0; band <= m_thresholds; ++band) {
        const int high = band < m_thresholds ? cuts[static_cast<std::size_t>(band)] : kBins;
        const std::size_t base = static_cast<std::size_t>(band) * (kBins + 1);
        const std::size_t a = base + static_cast<std::size_t>(low), b = base + static_cast<std::size_t>(high);
        t.cost += m_cost[b] - m_cost[a];
        t.quality += m_quality[b] - m_quality[a];
        t.reference += m_reference[b] - m_reference[a];
        t.frontier += m_requests[b * slots] - m_requests[a * slots];
        for (std::size_t slot = 0; slot < slots; ++slot)
            t.known += m_requests[b * slots + slot] - m_requests[a * slots + slot];
        low = high;
    }
    return t;
}

CalibrationPoint CalibrationTable::evaluate(const std::vector<double> &thresholds) const
{
    std::vector<int> cuts;
    int previous = 0;
    for (double value : thresholds) {
        previous = std::max(previous, std::clamp(static_cast<int>(std::lround(value * kBins)), 0, kBins));
        cuts.push_back(previous);
    }
    cuts.resize(static_cast<std::size_t>(m_thresholds), kBins);
    const Totals t = totals(cuts);
    CalibrationPoint point;
    for (int cut : cuts)
        point.thresholds.push_back(static_cast<double>(cut) / kBins);
    point.costMicro = t.cost;
    point.quality = qualityOf(t);
    point.frontierShare = t.known > 0 ? static_cast<double>(t.frontier) / static_cast<double>(t.known) : 0.0;
    const auto slots = static_cast<std::size_t>(m_slots);
    point.tierRequests = m_unscored;
    int low = 0;
    for (int band = 0; band <= m_thresholds; ++band) {
        const int high = band < m_thresholds ? cuts[static_cast<std::size_t>(band)] : kBins;
        const std::size_t base = static_cast<std::size_t>(band) * (kBins + 1);
        for (std::size_t slot = 0; slot < slots; ++slot)
            point.tierRequests[slot] += m_requests[(base + static_cast<std::size_t>(high)) * slots + slot]
                                        - m_requests[(base + static_cast<std::size_t>(low)) * slots + slot];
        low = high;
    }
    return point;
}

int CalibrationTable::gridStep() const
{
    for (int grid : {1000, 500, 200, 100, 50, 20, 10})
        if (choose(grid - 1, m_thresholds) <= static_cast<double>(kMaxCandidates))
            return kBins / grid;
    return kBins / 10;
}

void CalibrationTable::forEachCandidate(
    const std::function<void(const std::vector<int> &, const Totals &)> &visit) const
{
    const int step = gridStep();
    std::vector<int> cuts(static_cast<std::size_t>(m_thresholds), 0);
    // Depth-first over strictly ascending cuts on the grid.
    std::function<void(int, int)> next = [&](int index, int from) {
        if (index == m_thresholds) {
            visit(cuts, totals(cuts));
            return;
        }
        const int remaining = m_thresholds - index - 1;
        for (int cut = from; cut <= kBins - step * (remaining + 1); cut += step) {
            cuts[static_cast<std::size_t>(index)] = cut;
            next(index + 1, cut + step);
        }
    };
    next(0, step);
}

CalibrationPoint CalibrationTable::best(const CalibrationTarget &target, bool &reached) const
{
    std::vector<int> bestCuts, closestCuts;
    Totals bestTotals, closestTotals;
    bool found = false, anyClosest = false;
    const double epsilon = 1e-12;
    forEachCandidate([&](const std::vector<int> &cuts, const Totals &t) {
        const double quality = qualityOf(t);
        const double share = t.known > 0 ? static_cast<double>(t.frontier) / static_cast<double>(t.known) : 0.0;
        bool meets = false, better = false, closer = false;
        if (target.kind == CalibrationTarget::Kind::Quality) {
            meets = quality >= target.value - epsilon;
            better =
                !found || t.cost < bestTotals.cost || (t.cost == bestTotals.cost && quality > qualityOf(bestTotals));
            closer = !anyClosest || quality > qualityOf(closestTotals) + epsilon
                     || (std::abs(quality - qualityOf(closestTotals)) <= epsilon && t.cost < closestTotals.cost);
        } else {
            const double bestShare = found && bestTotals.known > 0 ? static_cast<double>(bestTotals.frontier)
                                                                         / static_cast<double>(bestTotals.known)
                                                                   : 0.0;
            meets = share <= target.value + epsilon;
            better = !found || quality > qualityOf(bestTotals) + epsilon
                     || (std::abs(quality - qualityOf(bestTotals)) <= epsilon
                         && (t.cost < bestTotals.cost || (t.cost == bestTotals.cost && share > bestShare)));
            // None within the share: the lowest share, then the best quality, then the lowest cost.
            const std::int64_t mine = t.frontier * std::max<std::int64_t>(closestTotals.known, 1);
            const std::int64_t theirs = closestTotals.frontier * std::max<std::int64_t>(t.known, 1);
            closer =
                !anyClosest || mine < theirs
                || (mine == theirs
                    && (quality > qualityOf(closestTotals) + epsilon
                        || (std::abs(quality - qualityOf(closestTotals)) <= epsilon && t.cost < closestTotals.cost)));
        }
        if (meets && better) {
            bestCuts = cuts;
            bestTotals = t;
            found = true;
        }
        if (!found && closer) {
            closestCuts = cuts;
            closestTotals = t;
            anyClosest = true;
        }
    });
    reached = found;
    const std::vector<int> &cuts = found ? bestCuts : closestCuts;
    std::vector<double> thresholds;
    for (int cut : cuts)
        thresholds.push_back(static_cast<double>(cut) / kBins);
    return evaluate(thresholds);
}

std::vector<CalibrationPoint> CalibrationTable::curve(int maxPoints) const
{
    // Two passes: the cost range, then the best quality per slice of it; of those, the ones no cheaper slice
    // beats.
    std::int64_t lowest = std::numeric_limits<std::int64_t>::max(), highest = std::numeric_limits<std::int64_t>::min();
    forEachCandidate([&](const std::vector<int> &, const Totals &t) {
        lowest = std::min(lowest, t.cost);
        highest = std::max(highest, t.cost);
    });
    if (lowest > highest)
        return {};
    const int slices = std::max(1, maxPoints);
    const double width = std::max(1.0, static_cast<double>(highest - lowest) / slices);
    struct Best {
        double quality = -1;
        std::int64_t cost = 0;
        std::vector<int> cuts;
    };
    std::vector<Best> best(static_cast<std::size_t>(slices) + 1);
    forEachCandidate([&](const std::vector<int> &cuts, const Totals &t) {
        const auto slice =
            static_cast<std::size_t>(std::min<double>(slices, static_cast<double>(t.cost - lowest) / width));
        Best &b = best[slice];
        const double quality = qualityOf(t);
        if (quality > b.quality || (quality == b.quality && t.cost < b.cost)) {
            b.quality = quality;
            b.cost = t.cost;
            b.cuts = cuts;
        }
    });
    std::vector<CalibrationPoint> points;
    double bestSoFar = -1;
    for (const Best &b : best) {
        if (b.quality <= bestSoFar)
            continue;
        bestSoFar = b.quality;
        std::vector<double> thresholds;
        for (int cut : b.cuts)
            thresholds.push_back(static_cast<double>(cut) / kBins);
        points.push_back(evaluate(thresholds));
    }
    return points;
}

} // namespace rl

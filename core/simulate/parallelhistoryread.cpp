#include "simulate/parallelhistoryread.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <optional>
#include <thread>

namespace rl {

namespace {

constexpr std::int64_t kProgressEvery = 16384;

// The first day of the second part: the cut between days that leaves the two parts closest in size.
std::int64_t balancedCut(const std::vector<HistoryReader::DayEstimate> &days, std::int64_t total)
{
    std::int64_t before = 0, bestCut = days.front().day + 1, bestGap = total;
    for (std::size_t i = 1; i < days.size(); ++i) {
        before += days[i - 1].requests;
        const std::int64_t gap = std::abs(total - 2 * before);
        if (gap < bestGap) {
            bestGap = gap;
            bestCut = days[i].day;
        }
    }
    return bestCut;
}

} // namespace

Result<std::int64_t> ParallelHistoryRead::run(HistoryReader &reader, const UsageFilter &scope,
                                              std::int64_t splitAtEvents, HistoryReader::Fields fields,
                                              const Progress &progress, const std::function<Sink(int part)> &makeSink)
{
    Result<std::vector<HistoryReader::DayEstimate>> days = reader.estimateByDay(scope);
    if (!days)
        return days.error();
    std::int64_t total = 0;
    for (const HistoryReader::DayEstimate &day : days.value())
        total += day.requests;

    std::atomic<std::int64_t> done{0};
    std::atomic<bool> stop{false};
    std::optional<Error> secondFailed;
    std::thread helper;
    UsageFilter firstPart = scope;
    const Sink first = makeSink(0);
    if (days->size() >= 2 && total >= splitAtEvents) {
        UsageFilter secondPart = scope;
        firstPart.toDay = secondPart.fromDay = balancedCut(days.value(), total);
        helper = std::thread([&, secondPart, second = makeSink(1)] {
            Result<HistoryReader> own = HistoryReader::open(reader.path());
            if (!own) {
                secondFailed = own.error();
                stop = true;
                return;
            }
            Result<void> read = own->forEach(
                secondPart,
                [&](const StoredEvent &stored) {
                    second(stored);
                    done.fetch_add(1, std::memory_order_relaxed);
                    return !stop.load(std::memory_order_relaxed);
                },
                fields);
            if (!read) {
                secondFailed = read.error();
                stop = true;
            }
        });
    }
    std::int64_t sinceReport = 0;
    Result<void> read = reader.forEach(
        firstPart,
        [&](const StoredEvent &stored) {
            first(stored);
            const std::int64_t now = done.fetch_add(1, std::memory_order_relaxed) + 1;
            if (++sinceReport >= kProgressEvery) {
                sinceReport = 0;
                if (stop.load() || (progress && !progress(now, std::max(now, total)))) {
                    stop = true;
                    return false;
                }
            }
            return true;
        },
        fields);
    if (!read)
        stop = true;
    if (helper.joinable())
        helper.join();
    if (!read)
        return read.error();
    if (secondFailed)
        return *secondFailed;
    if (progress && !progress(done.load(), done.load()))
        return Error{"simulate.cancelled", "the simulation was cancelled", false};
    return done.load();
}

} // namespace rl

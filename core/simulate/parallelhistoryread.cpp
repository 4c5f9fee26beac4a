#include "simulate/parallelhistoryread.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

namespace rl {

namespace {
constexpr std::int64_t kProgressEvery = 16384;
}

Result<std::int64_t> ParallelHistoryRead::run(HistoryReader &reader, const UsageFilter &scope, std::int64_t total,
                                              std::int64_t splitAtEvents, const Progress &progress,
                                              const std::function<Sink(int part)> &makeSink)
{
    std::atomic<std::int64_t> done{0};
    std::atomic<bool> stop{false};
    std::optional<Error> secondFailed;
    std::thread helper;
    UsageFilter firstHalf = scope;
    const Sink first = makeSink(0);
    if (scope.toDay - scope.fromDay >= 2 && total >= splitAtEvents) {
        UsageFilter secondHalf = scope;
        firstHalf.toDay = secondHalf.fromDay = scope.fromDay + (scope.toDay - scope.fromDay) / 2;
        helper = std::thread([&, secondHalf, second = makeSink(1)] {
            Result<HistoryReader> own = HistoryReader::open(reader.path());
            if (!own) {
                secondFailed = own.error();
                stop = true;
                return;
            }
            Result<void> read = own->forEach(secondHalf, [&](const StoredEvent &stored) {
                second(stored);
                done.fetch_add(1, std::memory_order_relaxed);
                return !stop.load(std::memory_order_relaxed);
            });
            if (!read) {
                secondFailed = read.error();
                stop = true;
            }
        });
    }
    std::int64_t sinceReport = 0;
    Result<void> read = reader.forEach(firstHalf, [&](const StoredEvent &stored) {
        first(stored);
        const std::int64_t now = done.fetch_add(1, std::memory_order_relaxed) + 1;
        if (++sinceReport >= kProgressEvery) {
            sinceReport = 0;
            if (stop.load() || (progress && !progress(now, total))) {
                stop = true;
                return false;
            }
        }
        return true;
    });
    if (!read)
        stop = true;
    if (helper.joinable())
        helper.join();
    if (!read)
        return read.error();
    if (secondFailed)
        return *secondFailed;
    if (progress && !progress(done.load(), std::max(done.load(), total)))
        return Error{"simulate.cancelled", "the simulation was cancelled", false};
    return done.load();
}

} // namespace rl

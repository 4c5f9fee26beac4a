#pragma once

#include "error.h"
#include "simulate/historyreader.h"

#include <cstdint>
#include <functional>

namespace rl {

// Reads a scope's events for a replay on one or two threads: from `splitAtEvents` events on, the days are cut in
// two parts of about as many events each (the rollups' estimate) and the later part is read on a second thread
// through a connection of its own (reading the rows is half a replay's work, and SQLite reads one connection on
// one core). Each part feeds its own sink, made before reading starts, so a sink needs no locks; the caller merges
// what the parts gathered. Which events a part reads depends only on the store, so results are the same run to run.
class ParallelHistoryRead {
public:
    using Sink = std::function<void(const StoredEvent &)>;
    // Called every few thousand events and at the end with (done, total); false cancels ("simulate.cancelled").
    // `total` is an estimate that `done` never passes: at the end both are the events read.
    using Progress = std::function<bool(std::int64_t done, std::int64_t total)>;

    // `makeSink(part)` is called for part 0 (read on the calling thread) and, when the read splits, part 1.
    // Returns how many events were read.
    static Result<std::int64_t> run(HistoryReader &reader, const UsageFilter &scope, std::int64_t splitAtEvents,
                                    HistoryReader::Fields fields, const Progress &progress,
                                    const std::function<Sink(int part)> &makeSink);
};

} // namespace rl

#include "sources/sourcepoller.h"

#include <algorithm>

namespace rl {

namespace {

std::int64_t newestIn(const IngestBatch &batch)
{
    std::int64_t newest = 0;
    for (const UsageEvent &e : batch.events)
        newest = std::max(newest, e.timeMs);
    for (const UsageBucket &b : batch.buckets)
        newest = std::max(newest, b.endMs);
    for (const CostLine &c : batch.costs)
        newest = std::max(newest, c.endMs);
    return newest;
}

} // namespace

PollReport SourcePoller::pollOnce(IngestSink &store, UsageConnector &connector, std::size_t maxPages)
{
    PollReport report;
    auto cursor = store.cursor(connector.sourceName());
    if (!cursor) {
        report.error = cursor.error();
        return report;
    }
    std::optional<std::string> position = cursor.value();
    for (std::size_t page = 0; page < maxPages; ++page) {
        auto fetched = connector.fetch(position);
        if (!fetched) {
            report.error = fetched.error();
            return report;
        }
        SourcePage &got = fetched.value();
        auto ingested = store.ingest(got.batch);
        if (!ingested) {
            report.error = ingested.error();
            return report;
        }
        ++report.pages;
        report.inserted += ingested->inserted;
        report.duplicates += ingested->duplicates;
        report.buckets += ingested->bucketsUpserted;
        report.costLines += ingested->costLinesUpserted;
        report.newestRecordMs = std::max(report.newestRecordMs, newestIn(got.batch));
        position = got.batch.cursor;
        if (!got.hasMore) {
            report.caughtUp = true;
            return report;
        }
    }
    return report;
}

} // namespace rl

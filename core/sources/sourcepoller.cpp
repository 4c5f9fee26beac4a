#include "sources/sourcepoller.h"

namespace rl {

PollReport SourcePoller::pollOnce(UsageStore &store, UsageConnector &connector, std::size_t maxPages)
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
        position = got.batch.cursor;
        if (!got.hasMore) {
            report.caughtUp = true;
            return report;
        }
    }
    return report;
}

} // namespace rl

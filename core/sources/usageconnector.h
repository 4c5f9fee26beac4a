#pragma once

#include "error.h"
#include "store/usagerecords.h"

#include <optional>
#include <string>

namespace rl {

// One page of a source's usage: the batch to ingest (with the cursor to store beside it, in the same
// transaction) and whether the source has more right now.
struct SourcePage {
    IngestBatch batch;
    bool hasMore = false;
};

// A source of usage (a routeledger-router, a gateway, a provider's admin API), read page by page from
// a persisted cursor. Implementations turn the source's records into store events or buckets and
// refuse a page whole when it is malformed, so the store never holds half of one.
class UsageConnector {
public:
    virtual ~UsageConnector() = default;
    virtual std::string sourceName() const = 0;
    virtual Result<SourcePage> fetch(const std::optional<std::string> &cursor) = 0;
};

} // namespace rl

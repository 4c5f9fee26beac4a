#pragma once

#include "error.h"
#include "sources/usageconnector.h"
#include "store/ingestsink.h"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace rl {

struct PollReport {
    std::size_t pages = 0;
    std::size_t inserted = 0;
    std::size_t duplicates = 0;
    std::size_t buckets = 0;
    std::size_t costLines = 0;
    std::int64_t newestRecordMs = 0; // the latest event time or window end seen; 0: none
    bool caughtUp = false;           // the source said it has nothing more
    std::optional<Error> error;      // why the poll stopped early; pages before it are kept
};

// One poll of one source: from the cursor stored for it, page after page until the source has no more
// (or `maxPages`), each page ingested together with its new cursor in one transaction. A failed page
// leaves the store as it was before that page, so the next poll resumes exactly there. The sink is only
// called to read the cursor and to write a page, so sources on other threads fetch meanwhile.
class SourcePoller {
public:
    static PollReport pollOnce(IngestSink &store, UsageConnector &connector, std::size_t maxPages = 1000);
};

} // namespace rl

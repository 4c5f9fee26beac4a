#pragma once

#include "error.h"
#include "sources/usageconnector.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rl {

// Reads one GET /admin/usage page of a routeledger-router (docs/ROUTER.md) straight into store events
// with nlohmann's SAX interface: no document is built, so a page costs little more than its events.
// The page is refused whole when anything is wrong with it; every problem names the event and field.
class RouterUsagePageReader {
public:
    // Where a poller stands: the events' cursor and the feedback's (docs/ROUTER.md). Stored as one string, "E" or
    // "E:F"; a plain number (every cursor stored before feedback) is feedback 0, that is from the start.
    struct Cursor {
        std::int64_t events = 0;
        std::int64_t feedback = 0;
        static std::optional<Cursor> parse(std::string_view text);
        std::string text() const;
    };

    // `after` is the cursor the page was asked with: a next_cursor below it means the ledger was replaced. A page
    // with feedback (asked with feedback_after) gives IngestBatch::feedback, and the batch's cursor both parts.
    static Result<SourcePage> read(std::string_view body, const std::string &sourceName, const Cursor &after);
    static Result<SourcePage> read(std::string_view body, const std::string &sourceName, std::int64_t after);
};

} // namespace rl

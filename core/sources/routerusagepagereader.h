#pragma once

#include "error.h"
#include "sources/usageconnector.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace rl {

// Reads one GET /admin/usage page of a routeledger-router (docs/ROUTER.md) straight into store events
// with nlohmann's SAX interface: no document is built, so a page costs little more than its events.
// The page is refused whole when anything is wrong with it; every problem names the event and field.
class RouterUsagePageReader {
public:
    // `after` is the cursor the page was asked with: a next_cursor below it means the ledger was replaced.
    static Result<SourcePage> read(std::string_view body, const std::string &sourceName, std::int64_t after);
};

} // namespace rl

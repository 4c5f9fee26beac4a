#pragma once

#include "error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rl {

// Where a bucketed usage or cost report (OpenAI Usage/Costs, Anthropic usage/cost report) is read from:
// the start of the window, in Unix seconds, and the provider's opaque `next_page` token within it. Stored
// as "<start seconds>|<page token>" (the token empty on a window's first page).
class BucketCursor {
public:
    std::int64_t startSeconds = 0;
    std::string page;

    static std::optional<BucketCursor> parse(std::string_view text);
    // Where a fetch starts: the stored cursor, or `firstSeconds` for a new source; aligned down to whole
    // buckets of `alignSeconds`. A cursor that is not one is refused with a message naming the source.
    static Result<BucketCursor> resume(const std::optional<std::string> &cursor, std::int64_t firstSeconds,
                                       std::int64_t alignSeconds, const std::string &sourceName,
                                       const std::string &report);
    std::string text() const { return std::to_string(startSeconds) + "|" + page; }
    // "&page=<token, percent-encoded>", or empty on a window's first page.
    std::string pageQuery() const;

    // The cursor after a page read from `startSeconds`: within the window while `hasMore`; once caught
    // up, `reread` back from the latest bucket end (providers revise recent buckets), never before
    // `startSeconds`, aligned down to `alignSeconds`.
    static BucketCursor after(std::int64_t startSeconds, bool hasMore, const std::string &nextPage,
                              std::int64_t latestEndMs, std::int64_t nowMs, std::int64_t rereadMs,
                              std::int64_t alignSeconds);
};

} // namespace rl

#include "sources/bucketcursor.h"

#include "net/percentencoding.h"

#include <algorithm>
#include <charconv>

namespace rl {

std::optional<BucketCursor> BucketCursor::parse(std::string_view text)
{
    const auto bar = text.find('|');
    if (bar == std::string_view::npos || bar == 0)
        return std::nullopt;
    BucketCursor out;
    auto [end, ec] = std::from_chars(text.data(), text.data() + bar, out.startSeconds);
    if (ec != std::errc() || end != text.data() + bar || out.startSeconds < 0)
        return std::nullopt;
    out.page = std::string(text.substr(bar + 1));
    return out;
}

std::string BucketCursor::pageQuery() const
{
    if (page.empty())
        return {};
    return "&page=" + percentEncoded(page);
}

BucketCursor BucketCursor::after(std::int64_t startSeconds, bool hasMore, const std::string &nextPage,
                                 std::int64_t latestEndMs, std::int64_t nowMs, std::int64_t rereadMs,
                                 std::int64_t alignSeconds)
{
    if (hasMore)
        return {startSeconds, nextPage};
    std::int64_t seconds = std::max(startSeconds * 1000, std::min(latestEndMs, nowMs) - rereadMs) / 1000;
    if (alignSeconds > 0)
        seconds -= seconds % alignSeconds;
    return {std::max(seconds, startSeconds), {}};
}

Result<BucketCursor> BucketCursor::resume(const std::optional<std::string> &cursor, std::int64_t firstSeconds,
                                          std::int64_t alignSeconds, const std::string &sourceName,
                                          const std::string &report)
{
    BucketCursor at{firstSeconds, {}};
    if (cursor) {
        std::optional<BucketCursor> parsed = parse(*cursor);
        if (!parsed)
            return Error{"source.bad_cursor",
                         "The stored cursor '" + *cursor + "' of " + sourceName + " is not an " + report
                             + " cursor; use \"Read again from the start\" on the Sources page",
                         false};
        at = *parsed;
    }
    at.startSeconds -= at.startSeconds % alignSeconds;
    return at;
}

} // namespace rl

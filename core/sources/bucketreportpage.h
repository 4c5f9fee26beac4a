#pragma once

#include "error.h"
#include "sources/malformedpage.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rl {

// One page of a bucket report: OpenAI's Usage and Costs APIs (gateway-apis.md §2) and Anthropic's usage and
// cost reports (§3) share the envelope `{"data": [{<start>, <end>, "results": [...]}], "has_more", "next_page"}`
// and differ only in how a bucket's window is written. Checks the envelope, every bucket's window and that
// each result is an object; the connectors read the results.
class BucketReportPage {
public:
    enum class Times {
        UnixSeconds, // OpenAI: "start_time", "end_time" as whole seconds
        Rfc3339,     // Anthropic: "starting_at", "ending_at" as RFC 3339 times
    };
    // One result of one bucket, with the bucket's window: the page's results in order, for the connectors.
    struct Row {
        std::int64_t startMs = 0;
        std::int64_t endMs = 0;
        std::size_t bucket = 0; // in data[]
        std::size_t index = 0;  // in that bucket's results[]
    };

    nlohmann::json document;
    std::vector<Row> rows;
    bool hasMore = false;
    std::string nextPage;
    std::int64_t latestEndMs = 0;

    const nlohmann::json &result(const Row &row) const { return document["data"][row.bucket]["results"][row.index]; }
    // "bucket 2, result 0": where a row is, for messages.
    static std::string where(const Row &row);
    // The paging into the outs of a connector's readPage; `latestEnd` only moves forward.
    void copyPaging(bool &more, std::string &next, std::int64_t &latestEnd) const;

    // A page that cannot be read is refused with `malformed` (which names the report and the source).
    static Result<BucketReportPage> read(std::string_view body, Times times, const MalformedPage &malformed);
};

} // namespace rl

#include "sources/bucketreportpage.h"

#include "sources/isotime.h"
#include "sources/jsonfields.h"

#include <algorithm>
#include <optional>

namespace rl {

using nlohmann::json;

namespace {

// A bucket's start or end in UTC ms, as `times` writes it; nullopt when missing or not a time.
std::optional<std::int64_t> timeOf(const json &bucket, BucketReportPage::Times times, bool start)
{
    if (times == BucketReportPage::Times::Rfc3339)
        return IsoTime::parse(JsonFields::text(bucket, start ? "starting_at" : "ending_at"));
    auto seconds = bucket.find(start ? "start_time" : "end_time");
    if (seconds == bucket.end() || !seconds->is_number_integer())
        return std::nullopt;
    return seconds->get<std::int64_t>() * 1000;
}

} // namespace

Result<BucketReportPage> BucketReportPage::read(std::string_view body, Times times, const MalformedPage &malformed)
{
    auto parsed = malformed.parseObject(body);
    if (!parsed)
        return parsed.error();
    BucketReportPage page;
    page.document = std::move(parsed).value();
    const json &doc = page.document;
    auto data = doc.find("data");
    if (data == doc.end() || !data->is_array())
        return malformed.error("'data' is missing or not a list");
    auto more = doc.find("has_more");
    if (more == doc.end() || !more->is_boolean())
        return malformed.error("'has_more' is missing or not true/false");
    page.hasMore = more->get<bool>();
    page.nextPage = JsonFields::text(doc, "next_page");
    if (page.hasMore && page.nextPage.empty())
        return malformed.error("'has_more' is true but 'next_page' is missing");
    if (page.hasMore && data->empty())
        return malformed.error("'data' holds no buckets but 'has_more' says there are more");
    const std::string window = times == Times::Rfc3339
                                   ? "'starting_at' or 'ending_at' is missing or not an RFC 3339 time"
                                   : "'start_time' or 'end_time' is missing or not whole seconds";
    for (std::size_t i = 0; i < data->size(); ++i) {
        const json &bucket = (*data)[i];
        const std::string where = "bucket " + std::to_string(i);
        if (!bucket.is_object())
            return malformed.error(where + " is not an object");
        auto start = timeOf(bucket, times, true);
        auto end = timeOf(bucket, times, false);
        if (!start || !end)
            return malformed.error(where + ": " + window);
        if (*end <= *start)
            return malformed.error(where + " ends before it starts");
        auto found = bucket.find("results");
        if (found == bucket.end() || !found->is_array())
            return malformed.error(where + ": 'results' is missing or not a list");
        const json &results = *found;
        for (std::size_t r = 0; r < results.size(); ++r) {
            const Row row{*start, *end, i, r};
            if (!results[r].is_object())
                return malformed.error(BucketReportPage::where(row) + " is not an object");
            page.rows.push_back(row);
        }
        page.latestEndMs = std::max(page.latestEndMs, *end);
    }
    return page;
}

std::string BucketReportPage::where(const Row &row)
{
    return "bucket " + std::to_string(row.bucket) + ", result " + std::to_string(row.index);
}

void BucketReportPage::copyPaging(bool &more, std::string &next, std::int64_t &latestEnd) const
{
    more = hasMore;
    next = nextPage;
    latestEnd = std::max(latestEnd, latestEndMs);
}

} // namespace rl

#include "sources/anthropicreportpage.h"
#include "boundedjson.h"

#include "sources/isotime.h"
#include "sources/jsonfields.h"

#include <algorithm>

namespace rl {

using nlohmann::json;

Error AnthropicReportPage::malformed(const std::string &report, const std::string &sourceName, const std::string &what)
{
    return Error{"source.malformed",
                 report + " for " + sourceName + " came back in a form that cannot be read: " + what
                     + ". Nothing from it was stored.",
                 true};
}

std::vector<std::pair<std::string, std::string>> AnthropicReportPage::headers(const std::string &adminKey)
{
    return {{"x-api-key", adminKey}, {"anthropic-version", "2023-06-01"}, {"Accept", "application/json"}};
}

Result<AnthropicReportPage> AnthropicReportPage::read(std::string_view body, const std::string &report,
                                                      const std::string &sourceName)
{
    auto fail = [&](const std::string &what) { return malformed(report, sourceName, what); };
    AnthropicReportPage page;
    if (auto shape = checkJsonShape(body, kSourcePageLimits); !shape)
        return fail("it has " + shape.error().message);
    page.document = json::parse(body.begin(), body.end(), nullptr, false);
    const json &doc = page.document;
    if (doc.is_discarded() || !doc.is_object())
        return fail("it is not a JSON object");
    auto data = doc.find("data");
    if (data == doc.end() || !data->is_array())
        return fail("'data' is missing or not a list");
    auto more = doc.find("has_more");
    if (more == doc.end() || !more->is_boolean())
        return fail("'has_more' is missing or not true/false");
    page.hasMore = more->get<bool>();
    page.nextPage = JsonFields::text(doc, "next_page");
    if (page.hasMore && page.nextPage.empty())
        return fail("'has_more' is true but 'next_page' is missing");
    if (page.hasMore && data->empty())
        return fail("'data' holds no buckets but 'has_more' says there are more");
    for (std::size_t i = 0; i < data->size(); ++i) {
        const json &bucket = (*data)[i];
        const std::string where = "bucket " + std::to_string(i);
        if (!bucket.is_object())
            return fail(where + " is not an object");
        auto start = IsoTime::parse(JsonFields::text(bucket, "starting_at"));
        auto end = IsoTime::parse(JsonFields::text(bucket, "ending_at"));
        if (!start || !end)
            return fail(where + ": 'starting_at' or 'ending_at' is missing or not an RFC 3339 time");
        if (*end <= *start)
            return fail(where + " ends before it starts");
        auto results = bucket.find("results");
        if (results == bucket.end() || !results->is_array())
            return fail(where + ": 'results' is missing or not a list");
        for (std::size_t r = 0; r < results->size(); ++r) {
            if (!(*results)[r].is_object())
                return fail(where + ", result " + std::to_string(r) + " is not an object");
        }
        page.latestEndMs = std::max(page.latestEndMs, *end);
        page.buckets.push_back({*start, *end, i});
    }
    return page;
}

} // namespace rl

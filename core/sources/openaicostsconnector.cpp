#include "sources/openaicostsconnector.h"
#include "boundedjson.h"

#include "sources/isotime.h"

#include "sources/bucketcursor.h"
#include "sources/jsonfields.h"

#include <nlohmann/json.hpp>

#include <cctype>

namespace rl {

using nlohmann::json;

namespace {

constexpr std::int64_t kDayS = 86'400;

Error malformedError(const std::string &sourceName, const std::string &what)
{
    return Error{"source.malformed",
                 "OpenAI costs for " + sourceName + " came back in a form that cannot be read: " + what
                     + ". Nothing from it was stored.",
                 true};
}

} // namespace

OpenAiCostsConnector::OpenAiCostsConnector(HttpClient &http, std::string sourceName, std::string baseUrl,
                                           std::string adminKey, Options options)
    : m_http(http), m_sourceName(std::move(sourceName)), m_baseUrl(std::move(baseUrl)), m_adminKey(std::move(adminKey)),
      m_options(std::move(options))
{
    while (!m_baseUrl.empty() && m_baseUrl.back() == '/')
        m_baseUrl.pop_back();
    if (!m_options.nowMs)
        m_options.nowMs = &IsoTime::nowMs;
}

std::string OpenAiCostsConnector::modelOfLineItem(std::string_view lineItem)
{
    const auto comma = lineItem.find(", ");
    if (comma == std::string_view::npos || comma == 0 || comma + 2 >= lineItem.size())
        return {};
    const std::string_view model = lineItem.substr(0, comma);
    for (char c : model) {
        if (std::isspace(static_cast<unsigned char>(c)))
            return {};
    }
    return "openai/" + std::string(model);
}

Result<std::vector<CostLine>> OpenAiCostsConnector::readPage(std::string_view body, const std::string &sourceName,
                                                             bool &hasMore, std::string &nextPage,
                                                             std::int64_t &latestEndMs)
{
    auto malformed = [&](const std::string &what) { return malformedError(sourceName, what); };
    if (auto shape = checkJsonShape(body, kSourcePageLimits); !shape)
        return malformed("it has " + shape.error().message);
    json page = json::parse(body.begin(), body.end(), nullptr, false);
    if (page.is_discarded() || !page.is_object())
        return malformed("it is not a JSON object");
    auto data = page.find("data");
    if (data == page.end() || !data->is_array())
        return malformed("'data' is missing or not a list");
    auto more = page.find("has_more");
    if (more == page.end() || !more->is_boolean())
        return malformed("'has_more' is missing or not true/false");
    hasMore = more->get<bool>();
    nextPage = JsonFields::text(page, "next_page");
    if (hasMore && nextPage.empty())
        return malformed("'has_more' is true but 'next_page' is missing");
    if (hasMore && data->empty())
        return malformed("'data' holds no buckets but 'has_more' says there are more");
    std::vector<CostLine> lines;
    for (std::size_t i = 0; i < data->size(); ++i) {
        const json &bucket = (*data)[i];
        const std::string where = "bucket " + std::to_string(i);
        if (!bucket.is_object())
            return malformed(where + " is not an object");
        auto start = bucket.find("start_time");
        auto end = bucket.find("end_time");
        auto results = bucket.find("results");
        if (start == bucket.end() || !start->is_number_integer() || end == bucket.end() || !end->is_number_integer()
            || results == bucket.end() || !results->is_array())
            return malformed(where + " lacks start_time, end_time or results");
        const std::int64_t startMs = start->get<std::int64_t>() * 1000, endMs = end->get<std::int64_t>() * 1000;
        if (endMs <= startMs)
            return malformed(where + " ends before it starts");
        latestEndMs = std::max(latestEndMs, endMs);
        for (std::size_t r = 0; r < results->size(); ++r) {
            const json &result = (*results)[r];
            const std::string at = where + ", result " + std::to_string(r);
            if (!result.is_object())
                return malformed(at + " is not an object");
            // Only `object` is required in a result: a missing amount, or a null value, is "no cost reported"
            // for that line (gateway-apis.md §9), never a reason to refuse the page.
            std::optional<std::int64_t> amountMicro;
            auto amount = result.find("amount");
            if (amount != result.end() && !amount->is_null()) {
                if (!amount->is_object())
                    return malformed(at + ": 'amount' is not an object");
                auto value = amount->find("value");
                if (value != amount->end() && !value->is_null()) {
                    auto micro = JsonFields::microUsd(*value, JsonFields::MoneyUnit::Dollars);
                    if (!micro)
                        return malformed(at + ": 'amount.value' is not an amount");
                    amountMicro = *micro;
                }
                std::string currency = JsonFields::text(*amount, "currency");
                for (char &c : currency)
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                if (!currency.empty() && currency != "usd")
                    return malformed(at + ": 'amount.currency' is '" + currency + "', not usd");
            }
            CostLine line;
            line.startMs = startMs;
            line.endMs = endMs;
            line.provider = "openai";
            line.project = JsonFields::text(result, "project_id");
            line.apiKey = JsonFields::text(result, "api_key_id");
            line.lineItem = JsonFields::text(result, "line_item");
            line.model = modelOfLineItem(line.lineItem);
            line.amountMicro = amountMicro;
            lines.push_back(std::move(line));
        }
    }
    return lines;
}

Result<SourcePage> OpenAiCostsConnector::fetch(const std::optional<std::string> &cursor)
{
    const std::int64_t now = m_options.nowMs();
    auto resumed =
        BucketCursor::resume(cursor, (m_options.firstMs != 0 ? m_options.firstMs : now - 30LL * 86'400'000) / 1000,
                             kDayS, m_sourceName, "OpenAI costs");
    if (!resumed)
        return resumed.error();
    BucketCursor at = resumed.value();
    std::string url =
        m_baseUrl + "/organization/costs?start_time=" + std::to_string(at.startSeconds)
        + "&bucket_width=1d&group_by[]=project_id&group_by[]=line_item&limit=" + std::to_string(m_options.limit);
    url += at.pageQuery();
    auto answer = m_http.send({"GET", url, {{"Authorization", "Bearer " + m_adminKey}}, {}});
    if (!answer)
        return answer.error();
    bool hasMore = false;
    std::string nextPage;
    std::int64_t latestEndMs = at.startSeconds * 1000;
    auto lines = readPage(answer->body, m_sourceName, hasMore, nextPage, latestEndMs);
    if (!lines)
        return lines.error();
    if (hasMore && !at.page.empty() && nextPage == at.page)
        return malformedError(m_sourceName, "'next_page' repeats the page asked for");
    SourcePage out;
    out.batch.source = m_sourceName;
    out.batch.sourceKind = "openai";
    out.batch.costs = std::move(lines.value());
    out.hasMore = hasMore;
    out.batch.cursor =
        BucketCursor::after(at.startSeconds, hasMore, nextPage, latestEndMs, now, m_options.rereadWindow.count(), kDayS)
            .text();
    return out;
}

} // namespace rl

#include "sources/openaicostsconnector.h"

#include "sources/bucketreportpage.h"
#include "sources/jsonfields.h"

#include <nlohmann/json.hpp>

#include <cctype>

namespace rl {

using nlohmann::json;

namespace {

const BucketReportConnector::Report kReport{"OpenAI costs",        "the OpenAI API", "openai",
                                            "/organization/costs", 86'400,           30};

} // namespace

OpenAiCostsConnector::OpenAiCostsConnector(HttpClient &http, std::string sourceName, std::string baseUrl,
                                           std::string adminKey, Options options)
    : BucketReportConnector(http, kReport, std::move(sourceName), std::move(baseUrl),
                            {{"Authorization", "Bearer " + adminKey}}, std::move(options))
{}

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
    const MalformedPage malformed = kReport.malformed(sourceName);
    auto page = BucketReportPage::read(body, BucketReportPage::Times::UnixSeconds, malformed);
    if (!page)
        return page.error();
    page->copyPaging(hasMore, nextPage, latestEndMs);
    std::vector<CostLine> lines;
    for (const BucketReportPage::Row &row : page->rows) {
        const json &result = page->result(row);
        const std::string at = BucketReportPage::where(row);
        // Only `object` is required in a result: a missing amount, or a null value, is "no cost reported"
        // for that line (gateway-apis.md §9), never a reason to refuse the page.
        std::optional<std::int64_t> amountMicro;
        auto amount = result.find("amount");
        if (amount != result.end() && !amount->is_null()) {
            if (!amount->is_object())
                return malformed.error(at + ": 'amount' is not an object");
            auto value = amount->find("value");
            if (value != amount->end() && !value->is_null()) {
                auto micro = JsonFields::microUsd(*value, JsonFields::MoneyUnit::Dollars);
                if (!micro)
                    return malformed.error(at + ": 'amount.value' is not an amount");
                amountMicro = *micro;
            }
            if (const std::string currency = JsonFields::text(*amount, "currency"); !JsonFields::isUsd(currency))
                return malformed.error(at + ": 'amount.currency' is '" + currency + "', not usd");
        }
        CostLine line;
        line.startMs = row.startMs;
        line.endMs = row.endMs;
        line.provider = "openai";
        line.project = JsonFields::text(result, "project_id");
        line.apiKey = JsonFields::text(result, "api_key_id");
        line.lineItem = JsonFields::text(result, "line_item");
        line.model = modelOfLineItem(line.lineItem);
        line.amountMicro = amountMicro;
        lines.push_back(std::move(line));
    }
    return lines;
}

std::string OpenAiCostsConnector::query(std::int64_t startSeconds) const
{
    return "start_time=" + std::to_string(startSeconds) + "&bucket_width=1d&group_by[]=project_id&group_by[]=line_item";
}

Result<void> OpenAiCostsConnector::read(std::string_view body, IngestBatch &batch, Paging &paging) const
{
    return keep(readPage(body, sourceName(), paging.hasMore, paging.nextPage, paging.latestEndMs), batch.costs);
}

} // namespace rl

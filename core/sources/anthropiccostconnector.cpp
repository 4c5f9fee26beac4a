#include "sources/anthropiccostconnector.h"

#include "sources/anthropicusageconnector.h"
#include "sources/bucketreportpage.h"
#include "sources/isotime.h"
#include "sources/jsonfields.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

namespace rl {

using nlohmann::json;

namespace {

const BucketReportConnector::Report kReport{
    "Anthropic costs", "the Anthropic API", "anthropic", "/v1/organizations/cost_report", 86'400, 30};

} // namespace

AnthropicCostConnector::AnthropicCostConnector(HttpClient &http, std::string sourceName, std::string baseUrl,
                                               std::string adminKey, Options options)
    : BucketReportConnector(http, kReport, std::move(sourceName), std::move(baseUrl),
                            AnthropicUsageConnector::adminHeaders(adminKey), std::move(options))
{}

Result<std::vector<CostLine>> AnthropicCostConnector::readPage(std::string_view body, const std::string &sourceName,
                                                               bool &hasMore, std::string &nextPage,
                                                               std::int64_t &latestEndMs)
{
    const MalformedPage malformed = kReport.malformed(sourceName);
    auto page = BucketReportPage::read(body, BucketReportPage::Times::Rfc3339, malformed);
    if (!page)
        return page.error();
    page->copyPaging(hasMore, nextPage, latestEndMs);
    std::vector<CostLine> lines;
    using Key = std::tuple<std::int64_t, std::string, std::string, std::string>; // start, project, item, model
    std::map<Key, std::size_t> seen;
    for (const BucketReportPage::Row &row : page->rows) {
        const json &result = page->result(row);
        const std::string at = BucketReportPage::where(row);
        auto amount = result.find("amount");
        if (amount == result.end() || amount->is_null())
            return malformed.error(at + ": 'amount' is missing");
        auto micro = JsonFields::microUsd(*amount, JsonFields::MoneyUnit::Cents);
        if (!micro)
            return malformed.error(at + ": 'amount' is not a decimal amount in cents");
        if (const std::string currency = JsonFields::text(result, "currency"); !JsonFields::isUsd(currency))
            return malformed.error(at + ": 'currency' is '" + currency + "', not USD");
        CostLine line;
        line.startMs = row.startMs;
        line.endMs = row.endMs;
        line.provider = "anthropic";
        line.project = JsonFields::has(result, "workspace_id")
                           ? JsonFields::text(result, "workspace_id")
                           : std::string(AnthropicUsageConnector::kDefaultWorkspace);
        line.lineItem = JsonFields::text(result, "description");
        if (line.lineItem.empty()) {
            line.lineItem = JsonFields::text(result, "cost_type");
            const std::string tokenType = JsonFields::text(result, "token_type");
            if (!tokenType.empty())
                line.lineItem += (line.lineItem.empty() ? "" : ": ") + tokenType;
        }
        const std::string model = JsonFields::text(result, "model");
        line.model = model.empty() ? std::string() : "anthropic/" + model;
        line.amountMicro = *micro;
        const Key key{line.startMs, line.project, line.lineItem, line.model};
        if (auto it = seen.find(key); it != seen.end()) {
            *lines[it->second].amountMicro += *micro; // one line per window and dimensions
            continue;
        }
        seen.emplace(key, lines.size());
        lines.push_back(std::move(line));
    }
    return lines;
}

std::string AnthropicCostConnector::query(std::int64_t startSeconds) const
{
    return "starting_at=" + IsoTime::rfc3339(startSeconds * 1000)
           + "&bucket_width=1d&group_by[]=workspace_id&group_by[]=description";
}

Result<void> AnthropicCostConnector::read(std::string_view body, IngestBatch &batch, Paging &paging) const
{
    return keep(readPage(body, sourceName(), paging.hasMore, paging.nextPage, paging.latestEndMs), batch.costs);
}

} // namespace rl

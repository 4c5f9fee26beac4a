#include "sources/anthropiccostconnector.h"

#include "sources/anthropicreportpage.h"
#include "sources/anthropicusageconnector.h"
#include "sources/bucketcursor.h"
#include "sources/isotime.h"
#include "sources/jsonfields.h"

#include <cctype>
#include <map>
#include <tuple>

namespace rl {

using nlohmann::json;

namespace {

constexpr std::int64_t kDayS = 86'400;
const std::string kReport = "Anthropic costs";

} // namespace

AnthropicCostConnector::AnthropicCostConnector(HttpClient &http, std::string sourceName, std::string baseUrl,
                                               std::string adminKey, Options options)
    : m_http(http), m_sourceName(std::move(sourceName)), m_baseUrl(std::move(baseUrl)), m_adminKey(std::move(adminKey)),
      m_options(std::move(options))
{
    while (!m_baseUrl.empty() && m_baseUrl.back() == '/')
        m_baseUrl.pop_back();
    if (!m_options.nowMs)
        m_options.nowMs = &IsoTime::nowMs;
}

Result<std::vector<CostLine>> AnthropicCostConnector::readPage(std::string_view body, const std::string &sourceName,
                                                               bool &hasMore, std::string &nextPage,
                                                               std::int64_t &latestEndMs)
{
    auto page = AnthropicReportPage::read(body, kReport, sourceName);
    if (!page)
        return page.error();
    hasMore = page->hasMore;
    nextPage = page->nextPage;
    latestEndMs = std::max(latestEndMs, page->latestEndMs);
    auto fail = [&](const std::string &what) { return AnthropicReportPage::malformed(kReport, sourceName, what); };
    std::vector<CostLine> lines;
    using Key = std::tuple<std::int64_t, std::string, std::string, std::string>; // start, project, item, model
    std::map<Key, std::size_t> seen;
    for (const auto &bucket : page->buckets) {
        const json &results = page->results(bucket);
        for (std::size_t r = 0; r < results.size(); ++r) {
            const json &result = results[r];
            const std::string at = "bucket " + std::to_string(bucket.index) + ", result " + std::to_string(r);
            auto amount = result.find("amount");
            if (amount == result.end() || amount->is_null())
                return fail(at + ": 'amount' is missing");
            auto micro = JsonFields::microUsd(*amount, JsonFields::MoneyUnit::Cents);
            if (!micro)
                return fail(at + ": 'amount' is not a decimal amount in cents");
            std::string currency = JsonFields::text(result, "currency");
            for (char &c : currency)
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            if (!currency.empty() && currency != "USD")
                return fail(at + ": 'currency' is '" + currency + "', not USD");
            CostLine line;
            line.startMs = bucket.startMs;
            line.endMs = bucket.endMs;
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
    }
    return lines;
}

Result<SourcePage> AnthropicCostConnector::fetch(const std::optional<std::string> &cursor)
{
    const std::int64_t now = m_options.nowMs();
    auto resumed =
        BucketCursor::resume(cursor, (m_options.firstMs != 0 ? m_options.firstMs : now - 30LL * 86'400'000) / 1000,
                             kDayS, m_sourceName, "Anthropic cost");
    if (!resumed)
        return resumed.error();
    BucketCursor at = resumed.value();
    std::string url =
        m_baseUrl + "/v1/organizations/cost_report?starting_at=" + IsoTime::rfc3339(at.startSeconds * 1000)
        + "&bucket_width=1d&group_by[]=workspace_id&group_by[]=description&limit=" + std::to_string(m_options.limit)
        + at.pageQuery();
    auto answer = m_http.send({"GET", url, AnthropicReportPage::headers(m_adminKey), {}});
    if (!answer)
        return answer.error();
    bool hasMore = false;
    std::string nextPage;
    std::int64_t latestEndMs = at.startSeconds * 1000;
    auto lines = readPage(answer->body, m_sourceName, hasMore, nextPage, latestEndMs);
    if (!lines)
        return lines.error();
    if (hasMore && !at.page.empty() && nextPage == at.page)
        return AnthropicReportPage::malformed(kReport, m_sourceName, "'next_page' repeats the page asked for");
    SourcePage out;
    out.batch.source = m_sourceName;
    out.batch.sourceKind = "anthropic";
    out.batch.costs = std::move(lines.value());
    out.hasMore = hasMore;
    out.batch.cursor =
        BucketCursor::after(at.startSeconds, hasMore, nextPage, latestEndMs, now, m_options.rereadWindow.count(), kDayS)
            .text();
    return out;
}

} // namespace rl

#include "sources/bucketreportconnector.h"

#include "sources/baseurl.h"
#include "sources/bucketcursor.h"
#include "sources/isotime.h"

namespace rl {

BucketReportConnector::BucketReportConnector(HttpClient &http, const Report &report, std::string sourceName,
                                             std::string baseUrl, Headers headers, BucketReportOptions options)
    : m_http(http), m_report(report), m_sourceName(std::move(sourceName)),
      m_baseUrl(trimmedBaseUrl(std::move(baseUrl))), m_headers(std::move(headers)), m_options(std::move(options))
{}

Result<SourcePage> BucketReportConnector::fetch(const std::optional<std::string> &cursor)
{
    const std::int64_t now = readClock(m_options.nowMs);
    const std::int64_t firstMs =
        m_options.firstMs != 0 ? m_options.firstMs : now - m_report.firstDays * IsoTime::kDayMs;
    auto resumed = BucketCursor::resume(cursor, firstMs / 1000, m_report.bucketSeconds, m_sourceName, m_report.name);
    if (!resumed)
        return resumed.error();
    const BucketCursor at = resumed.value();
    const std::string url = m_baseUrl + m_report.path + "?" + query(at.startSeconds)
                            + "&limit=" + std::to_string(m_options.limit) + at.pageQuery();
    auto answer = m_http.send({"GET", url, m_headers, {}});
    if (!answer)
        return answer.error();
    SourcePage out;
    Paging paging;
    paging.latestEndMs = at.startSeconds * 1000;
    if (auto records = read(answer->body, out.batch, paging); !records)
        return records.error();
    if (paging.hasMore && !at.page.empty() && paging.nextPage == at.page)
        return m_report.malformed(m_sourceName).error("'next_page' repeats the page asked for");
    out.batch.source = m_sourceName;
    out.batch.sourceKind = m_report.sourceKind;
    out.hasMore = paging.hasMore;
    // Once caught up, the next poll starts far enough back to pick up the provider's revisions of recent buckets.
    out.batch.cursor = BucketCursor::after(at.startSeconds, paging.hasMore, paging.nextPage, paging.latestEndMs, now,
                                           m_options.rereadWindow.count(), m_report.bucketSeconds)
                           .text();
    return out;
}

} // namespace rl

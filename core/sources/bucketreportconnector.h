#pragma once

#include "clock.h"
#include "net/httpclient.h"
#include "sources/malformedpage.h"
#include "sources/usageconnector.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rl {

// How a bucket report is polled; the connectors' defaults are HourlyReportOptions and DailyReportOptions.
struct BucketReportOptions {
    std::int64_t firstMs = 0;                 // where a new source starts; 0: the report's `firstDays` ago
    std::chrono::milliseconds rereadWindow{}; // once caught up, the next poll starts this far back
    int limit = 1;                            // buckets per page
    Clock nowMs;                              // empty: the system clock
};

// The usage reports (hourly buckets): the last 48 h re-read, since providers revise recent buckets.
struct HourlyReportOptions : BucketReportOptions {
    HourlyReportOptions()
    {
        rereadWindow = std::chrono::hours(48);
        limit = 24; // buckets per page (at most 168)
    }
};

// The cost reports (daily buckets): the last 3 days re-read, since costs lag usage and are revised.
struct DailyReportOptions : BucketReportOptions {
    DailyReportOptions()
    {
        rereadWindow = std::chrono::hours(72);
        limit = 7; // buckets per page (OpenAI takes 1–180, Anthropic 1–31)
    }
};

// What the four bucket reports (OpenAI usage and costs, Anthropic usage and cost) share: the stored
// "<start s>|<page>" cursor resumed and advanced (BucketCursor), the GET, a `next_page` that repeats the page
// asked for refused (it would loop), and the SourcePage. A connector gives only what differs: its Report,
// its query and how a page becomes buckets or cost lines.
class BucketReportConnector : public UsageConnector {
public:
    using Headers = std::vector<std::pair<std::string, std::string>>;

    // What a report is, fixed by each connector.
    struct Report {
        const char *name;           // in messages: "OpenAI usage"
        const char *service;        // what the source's URL leads to, in messages: "the OpenAI API"
        const char *sourceKind;     // IngestBatch::sourceKind
        const char *path;           // after the base URL: "/organization/usage/completions"
        std::int64_t bucketSeconds; // the bucket width; cursors are aligned to it
        std::int64_t firstDays;     // how far back a new source starts when Options::firstMs is 0

        MalformedPage malformed(const std::string &sourceName) const { return {name, sourceName, path, service}; }
    };

    std::string sourceName() const final { return m_sourceName; }
    Result<SourcePage> fetch(const std::optional<std::string> &cursor) final;

protected:
    // What a page says about paging, besides its records.
    struct Paging {
        bool hasMore = false;
        std::string nextPage;
        std::int64_t latestEndMs = 0; // the latest bucket end read; starts at the window's start
    };

    BucketReportConnector(HttpClient &http, const Report &report, std::string sourceName, std::string baseUrl,
                          Headers headers, BucketReportOptions options);

    // The query for the window that starts at `startSeconds`, without `limit` and `page`, which are appended:
    // "start_time=…&bucket_width=1h&group_by[]=…".
    virtual std::string query(std::int64_t startSeconds) const = 0;
    // One page's records into `batch` (its buckets or cost lines), and its paging.
    virtual Result<void> read(std::string_view body, IngestBatch &batch, Paging &paging) const = 0;

    // For read(): what a connector's readPage returned, moved into the batch's records.
    template <typename Record>
    static Result<void> keep(Result<std::vector<Record>> records, std::vector<Record> &into)
    {
        if (!records)
            return records.error();
        into = std::move(records).value();
        return {};
    }

private:
    HttpClient &m_http;
    Report m_report;
    std::string m_sourceName;
    std::string m_baseUrl;
    Headers m_headers;
    BucketReportOptions m_options;
};

} // namespace rl

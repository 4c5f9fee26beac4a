#pragma once

#include "net/httpclient.h"
#include "sources/usageconnector.h"

#include <string>
#include <string_view>

namespace rl {

// Polls a routeledger-router's GET /admin/usage?after=E&feedback_after=F&limit=N (docs/ROUTER.md) into store
// events and clients' feedback; the cursor it persists is "E" or "E:F" (RouterUsagePageReader::Cursor).
class RouterUsageConnector : public UsageConnector {
public:
    static constexpr std::size_t kDefaultPageSize = 1000;

    RouterUsageConnector(HttpClient &http, std::string sourceName, std::string baseUrl, std::string adminToken,
                         std::size_t pageSize = kDefaultPageSize);

    std::string sourceName() const override { return m_sourceName; }
    Result<SourcePage> fetch(const std::optional<std::string> &cursor) override;

    // Reads one page's JSON; every problem names the event and the field. `after` is the cursor the page
    // was asked with: a next_cursor below it means the router's ledger was replaced.
    static Result<SourcePage> parsePage(std::string_view body, const std::string &sourceName, std::int64_t after);
    // The same, asked with a stored cursor ("E" or "E:F": the events' and the feedback's cursors).
    static Result<SourcePage> parsePage(std::string_view body, const std::string &sourceName,
                                        const std::string &cursor);

private:
    HttpClient &m_http;
    std::string m_sourceName;
    std::string m_baseUrl; // without a trailing slash, e.g. http://router:8080
    std::string m_adminToken;
    std::size_t m_pageSize;
};

} // namespace rl

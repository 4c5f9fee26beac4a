#include "sources/routerusageconnector.h"

#include "sources/baseurl.h"
#include "sources/routerusagepagereader.h"

namespace rl {

RouterUsageConnector::RouterUsageConnector(HttpClient &http, std::string sourceName, std::string baseUrl,
                                           std::string adminToken, std::size_t pageSize)
    : m_http(http), m_sourceName(std::move(sourceName)), m_baseUrl(trimmedBaseUrl(std::move(baseUrl))),
      m_adminToken(std::move(adminToken)), m_pageSize(pageSize)
{}

Result<SourcePage> RouterUsageConnector::fetch(const std::optional<std::string> &cursor)
{
    RouterUsagePageReader::Cursor after;
    if (cursor) {
        auto parsed = RouterUsagePageReader::Cursor::parse(*cursor);
        if (!parsed)
            return Error{"source.bad_cursor",
                         "The stored cursor '" + *cursor + "' of " + m_sourceName
                             + " is not a router cursor; use \"Read again from the start\" on the Sources page",
                         false};
        after = *parsed;
    }
    HttpExchange exchange;
    // feedback_after asks for the feedback part too; a router from before feedback ignores it and the feedback
    // cursor stays where it was.
    exchange.url = m_baseUrl + "/admin/usage?after=" + std::to_string(after.events)
                   + "&feedback_after=" + std::to_string(after.feedback) + "&limit=" + std::to_string(m_pageSize);
    exchange.headers = {{"Authorization", "Bearer " + m_adminToken}, {"Accept", "application/json"}};
    auto answer = m_http.send(exchange);
    if (!answer)
        return answer.error();
    return RouterUsagePageReader::read(answer->body, m_sourceName, after);
}

Result<SourcePage> RouterUsageConnector::parsePage(std::string_view body, const std::string &sourceName,
                                                   std::int64_t after)
{
    return RouterUsagePageReader::read(body, sourceName, after);
}

Result<SourcePage> RouterUsageConnector::parsePage(std::string_view body, const std::string &sourceName,
                                                   const std::string &cursor)
{
    auto after = RouterUsagePageReader::Cursor::parse(cursor);
    if (!after)
        return Error{"source.bad_cursor", "'" + cursor + "' is not a router cursor (E or E:F, whole numbers)", false};
    return RouterUsagePageReader::read(body, sourceName, *after);
}

} // namespace rl

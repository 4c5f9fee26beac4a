#include "sources/routerusageconnector.h"

#include "sources/baseurl.h"
#include "sources/routerusagepagereader.h"

#include <charconv>

namespace rl {

namespace {

bool parseCursor(std::string_view text, std::int64_t &out)
{
    if (text.empty())
        return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && out >= 0;
}

} // namespace

RouterUsageConnector::RouterUsageConnector(HttpClient &http, std::string sourceName, std::string baseUrl,
                                           std::string adminToken, std::size_t pageSize)
    : m_http(http), m_sourceName(std::move(sourceName)), m_baseUrl(trimmedBaseUrl(std::move(baseUrl))),
      m_adminToken(std::move(adminToken)), m_pageSize(pageSize)
{}

Result<SourcePage> RouterUsageConnector::fetch(const std::optional<std::string> &cursor)
{
    std::int64_t after = 0;
    if (cursor && !parseCursor(*cursor, after))
        return Error{"source.bad_cursor",
                     "The stored cursor '" + *cursor + "' of " + m_sourceName
                         + " is not a router cursor; use \"Read again from the start\" on the Sources page",
                     false};
    HttpExchange exchange;
    exchange.url = m_baseUrl + "/admin/usage?after=" + std::to_string(after) + "&limit=" + std::to_string(m_pageSize);
    exchange.headers = {{"Authorization", "Bearer " + m_adminToken}, {"Accept", "application/json"}};
    auto answer = m_http.send(exchange);
    if (!answer)
        return answer.error();
    return parsePage(answer->body, m_sourceName, after);
}

Result<SourcePage> RouterUsageConnector::parsePage(std::string_view body, const std::string &sourceName,
                                                   std::int64_t after)
{
    return RouterUsagePageReader::read(body, sourceName, after);
}

} // namespace rl

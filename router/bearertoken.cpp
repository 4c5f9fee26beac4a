#include "bearertoken.h"

#include "httptext.h"

namespace rl {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t';
}

} // namespace

std::string_view bearerToken(std::string_view authorization)
{
    while (!authorization.empty() && isSpace(authorization.front()))
        authorization.remove_prefix(1);
    constexpr std::string_view scheme = "bearer";
    if (authorization.size() <= scheme.size() || !isSpace(authorization[scheme.size()]))
        return {};
    if (!startsWithNoCase(authorization, scheme))
        return {};
    return trimmedValue(authorization.substr(scheme.size()));
}

} // namespace rl

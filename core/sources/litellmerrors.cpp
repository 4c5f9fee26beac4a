#include "sources/litellmerrors.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace rl {

namespace {

bool containsNoCase(std::string_view text, std::string_view needle)
{
    auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
    return it != text.end();
}

} // namespace

Error LiteLlmErrors::explain(const Error &error, const std::string &sourceName)
{
    if (error.code != "auth.invalid" && error.code != "http.server_error")
        return error;
    for (std::string_view said :
         {"Prisma Client is not initialized", "No connected db", "Database not connected", "db_not_connected"}) {
        if (containsNoCase(error.message, said))
            return Error{"source.no_database",
                         "The LiteLLM proxy of " + sourceName + " has no database connected (it answered \""
                             + std::string(said)
                             + "\"), so it keeps no spend to read; the key is not the problem. Set DATABASE_URL "
                               "on the proxy (LiteLLM stores spend in Postgres) and restart it.",
                         false};
    }
    return error;
}

} // namespace rl

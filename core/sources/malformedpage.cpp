#include "sources/malformedpage.h"
#include "boundedjson.h"

namespace rl {

Error MalformedPage::error(std::string_view problem) const
{
    // A page that cannot be read is most often another server answering at the source's URL (a proxy, a login
    // page, a different service), so the fix names what the URL should lead to.
    std::string message = report + " for " + source + " came back in a form that cannot be read";
    if (!endpoint.empty())
        message += " (GET " + endpoint + ")";
    message += ": " + std::string(problem) + ". Nothing from it was stored; check that the source's URL leads to "
               + service + ".";
    return Error{"source.malformed", std::move(message), true};
}

Result<nlohmann::json> MalformedPage::parseObject(std::string_view body) const
{
    if (auto shape = checkJsonShape(body, kSourcePageLimits); !shape)
        return error("it has " + shape.error().message);
    nlohmann::json page = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
    if (page.is_discarded() || !page.is_object())
        return error("it is not a JSON object");
    return page;
}

} // namespace rl

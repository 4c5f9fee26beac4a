#include "chatrequest.h"

#include "httptext.h"
#include "routing/requestreader.h"

namespace rl {

Result<ChatRequest> ChatRequest::read(std::string_view contentType, std::string_view body, const ClientIdentity &who,
                                      std::int64_t nowMs)
{
    if (!startsWithNoCase(contentType, "application/json"))
        return Error{"unsupported_media_type",
                     "Content-Type must be application/json (got '" + std::string(contentType) + "')", false};
    ChatRequest chat;
    if (auto shape = checkJsonShape(body, kBodyLimits); !shape)
        return Error{"invalid_request",
                     "The request body has " + shape.error().message
                         + "; no chat request needs that much structure, so send a smaller body",
                     false};
    chat.body = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
    if (chat.body.is_discarded() || !chat.body.is_object())
        return Error{"invalid_json",
                     "The request body is not a JSON object; send {\"model\": \"auto\", \"messages\": [...]}", false};
    auto route = RequestReader::fromJson(chat.body, nowMs);
    if (!route)
        return Error{"invalid_request", route.error().message, false};
    chat.route = std::move(route.value());
    // The body's own "routeledger" object is for the CLI and the app; over the wire, identity and budget
    // come from the key or trusted headers, and the estimates are the router's own.
    RouteRequest &rr = chat.route;
    rr.team = who.team;
    rr.user = who.user;
    rr.app = who.app;
    rr.tags = who.tags;
    rr.budgetUsed = who.budgetUsed;
    rr.timeMs = nowMs;
    rr.complexity.reset();
    rr.inputTokens.reset();
    rr.task.reset();

    chat.body.erase("routeledger");
    // Usage is asked for on streams so the ledger can bill them, and held back from a client that did
    // not ask for it.
    if (rr.stream) {
        nlohmann::json &options = chat.body["stream_options"];
        if (!options.is_object())
            options = nlohmann::json::object();
        auto include = options.find("include_usage");
        if (include == options.end() || *include != true) {
            options["include_usage"] = true;
            chat.suppressUsageEvent = true;
        }
    }
    return chat;
}

std::string ChatRequest::upstreamBody(std::string_view providerModel)
{
    body["model"] = providerModel;
    return toJsonText(body);
}

} // namespace rl

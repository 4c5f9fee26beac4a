#include "httpresponses.h"

#include "boundedjson.h"

#include <nlohmann/json.hpp>

namespace rl {

std::string openAiErrorBody(std::string_view message, std::string_view type, std::string_view code)
{
    nlohmann::json error = {{"message", message}, {"type", type}, {"param", nullptr}, {"code", code}};
    return toJsonText(nlohmann::json{{"error", std::move(error)}});
}

HttpResponse jsonResponse(http::status status, std::string body, unsigned version)
{
    HttpResponse response(status, version);
    response.set(http::field::content_type, "application/json");
    response.body() = std::move(body);
    return response;
}

HttpResponse openAiErrorResponse(http::status status, std::string_view message, std::string_view type,
                                 std::string_view code, unsigned version)
{
    return jsonResponse(status, openAiErrorBody(message, type, code), version);
}

HttpResponse bearerChallenge(HttpResponse response)
{
    response.set(http::field::www_authenticate, "Bearer realm=\"routeledger-router\"");
    return response;
}

} // namespace rl

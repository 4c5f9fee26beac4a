#pragma once

#include "asioincludes.h"

#include <string>
#include <string_view>

namespace rl {

// An OpenAI-style error body: {"error": {"message", "type", "param": null, "code"}}, which every OpenAI
// SDK turns into a typed exception with the message intact.
std::string openAiErrorBody(std::string_view message, std::string_view type, std::string_view code);

HttpResponse jsonResponse(http::status status, std::string body, unsigned version);
HttpResponse openAiErrorResponse(http::status status, std::string_view message, std::string_view type,
                                 std::string_view code, unsigned version);
// `response` (a 401) with the WWW-Authenticate challenge that names the scheme the router expects (RFC 9110
// §11.6.1): the chat endpoint and the admin API both take `Authorization: Bearer`.
HttpResponse bearerChallenge(HttpResponse response);

} // namespace rl

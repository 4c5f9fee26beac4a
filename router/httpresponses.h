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

} // namespace rl

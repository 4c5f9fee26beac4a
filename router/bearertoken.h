#pragma once

#include <string_view>

namespace rl {

// The token of an `Authorization: Bearer <token>` header value, or empty when the header is absent or
// names another scheme. The scheme is matched without regard to case (RFC 7235 §2.1) and the spaces
// around the token are dropped; one parser for the chat endpoint and the admin API alike.
std::string_view bearerToken(std::string_view authorization);

} // namespace rl

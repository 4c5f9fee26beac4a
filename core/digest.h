#pragma once

#include <string>
#include <string_view>

namespace rl {

// SHA-256 of `data` as 64 lowercase hex digits (OpenSSL's libcrypto). The router configures client keys by
// their digest, never in clear; the store chains its audit log with it.
std::string sha256Hex(std::string_view data);

} // namespace rl

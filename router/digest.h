#pragma once

#include <string>
#include <string_view>

namespace rl {

// SHA-256 as 64 lowercase hex digits (client keys are configured by their digest, never in clear).
std::string sha256Hex(std::string_view data);

// Compares two secrets in time that depends only on their digests, so a caller learns nothing from
// how long a wrong token took to reject.
bool secretsEqual(std::string_view given, std::string_view expected);

} // namespace rl

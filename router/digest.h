#pragma once

// sha256Hex lives in the core (core/digest.h), which the store's audit log needs too. Included by its path:
// both folders are on the include path and this file's own name would otherwise find itself.
#include "../core/digest.h"

#include <string_view>

namespace rl {

// Compares two secrets in time that depends only on their digests, so a caller learns nothing from
// how long a wrong token took to reject.
bool secretsEqual(std::string_view given, std::string_view expected);

} // namespace rl

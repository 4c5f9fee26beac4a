#pragma once

#include "error.h"

#include <string>

namespace rl {

// What a LiteLLM proxy's errors really mean. A proxy without a database answers its spend and management
// endpoints with 401 ("Prisma Client is not initialized", "No connected db") or 500 ("Database not
// connected"), which is not a key problem (gateway-apis.md §9): such an error becomes `source.no_database`
// with the fix; any other error is returned as it is.
class LiteLlmErrors {
public:
    static Error explain(const Error &error, const std::string &sourceName);
};

} // namespace rl

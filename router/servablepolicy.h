#pragma once

#include "routerconfig.h"
#include "routing/policyparser.h"

#include <string_view>

namespace rl {

// Reads a policy the way PolicyParser does and then checks that this router can serve it: every model
// it names must belong to a configured provider. A policy that fails is refused whole (at start, on PUT),
// so the router never holds a policy it cannot carry out.
PolicyLoad parseServablePolicy(std::string_view text, const RouterConfig &config);

} // namespace rl

#pragma once

#include <string>

namespace rl {

// The operating-system user this process runs as (the audit log's actor): the password database's name for
// the effective user id, else $USER, else "unknown".
std::string currentOsUser();

} // namespace rl

#include "osuser.h"

#include <cstdlib>
#include <vector>

#include <pwd.h>
#include <unistd.h>

namespace rl {

std::string currentOsUser()
{
    // getpwuid_r: the store may be opened from more than one thread.
    long size = sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(static_cast<std::size_t>(size > 0 ? size : 16384));
    passwd entry{};
    passwd *found = nullptr;
    if (getpwuid_r(geteuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found && found->pw_name
        && *found->pw_name)
        return found->pw_name;
    if (const char *user = std::getenv("USER"); user && *user)
        return user;
    return "unknown";
}

} // namespace rl

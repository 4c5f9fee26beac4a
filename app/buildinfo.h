#pragma once

#include <string>

// What this build is: the project's version and the commit it was built from. The definitions are generated
// at build time (cmake/BuildInfo.cmake), so a new commit relinks the executables instead of recompiling them.
namespace buildinfo {

extern const char *const version; // project(VERSION) in CMakeLists.txt, e.g. "0.1.0"
extern const char *const commit;  // short hash, or "unknown" when not built from a git checkout

// The --version line: "routeledger 0.1.0 (commit abc1234)".
inline std::string versionLine(const char *program)
{
    return std::string(program) + ' ' + version + " (commit " + commit + ")";
}

} // namespace buildinfo

#pragma once

#include <string>
#include <vector>

// The `routeledger` subcommands that need no display. Each returns the process exit code:
// 0 success, 1 the input was refused (invalid policy, bad request, unreadable file), 2 wrong usage.
namespace headless {

int validatePolicy(const std::vector<std::string> &args);
int route(const std::vector<std::string> &args);
int trainScorer(const std::vector<std::string> &args);
int evalScorer(const std::vector<std::string> &args);
int demo(const std::vector<std::string> &args);
int prices(const std::vector<std::string> &args);
// Needs Qt (offscreen), so it takes argv for QApplication.
int screenshot(int argc, char **argv);

// Returns true and sets `exitCode` when argv names a headless subcommand.
bool dispatch(int argc, char **argv, int &exitCode);

} // namespace headless

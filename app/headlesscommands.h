#pragma once

#include "error.h"

#include <functional>
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

// What the source commands need from the Qt side of the executable, kept out of this Qt-free layer: the
// store the window opens without --store, and the OS keychain entries the app's Sources page saves (one
// per source name). Keychain errors carry the code keychain.unreachable (no Secret Service),
// keychain.missing (no entry) or keychain.failed, and the keychain's own words.
struct SourceCommandContext {
    std::string defaultStore;
    std::function<rl::Result<std::string>(const std::string &sourceName)> readKey;
    std::function<rl::Result<void>(const std::string &sourceName)> removeKey;
};
int sources(const std::vector<std::string> &args, const SourceCommandContext &context);
int poll(const std::vector<std::string> &args, const SourceCommandContext &context);

// `routeledger policy diff|export|list|show|push` and `routeledger audit verify|export` (issue 13). The
// context gives the default store (--store) and, for push, nothing else: router tokens come from --token-env.
int policyDiff(const std::vector<std::string> &args);                                       // policydiffcommand.cpp
int policyExport(const std::vector<std::string> &args);                                     // policyexportcommand.cpp
int policyList(const std::vector<std::string> &args, const SourceCommandContext &context);  // policystorecommands.cpp
int policyShow(const std::vector<std::string> &args, const SourceCommandContext &context);  // policystorecommands.cpp
int policyPush(const std::vector<std::string> &args, const SourceCommandContext &context);  // policypushcommand.cpp
int auditVerify(const std::vector<std::string> &args, const SourceCommandContext &context); // auditcommands.cpp
int auditExport(const std::vector<std::string> &args, const SourceCommandContext &context); // auditcommands.cpp
// `routeledger simulate` (issue 14): history replayed under a draft and a baseline.
int simulate(const std::vector<std::string> &args, const SourceCommandContext &context); // simulatecommand.cpp
// `routeledger calibrate` (issue 14): the draft's complexity thresholds for a target.
int calibrate(const std::vector<std::string> &args, const SourceCommandContext &context); // calibratecommand.cpp
// Needs Qt (offscreen), so it takes argv for QApplication.
int screenshot(int argc, char **argv);

// Returns true and sets `exitCode` when argv names a headless subcommand.
bool dispatch(int argc, char **argv, int &exitCode);

} // namespace headless

#pragma once

#include "simulate/historyreader.h"
#include "store/usagestore.h"

#include <optional>
#include <string>

class CommandLine;

namespace headless {

class CommandHelp;

// Opens the store a headless command works on, refusing what it must not touch: a missing file (unless
// `create`: then a new, empty store; `missingFix` says what to do otherwise), a damaged one (checked
// read-only before anything writes to it: opening may migrate) and a file that is not a RouteLedger
// store. On refusal it prints why on stderr and returns nullopt: the command exits 1.
std::optional<rl::UsageStore> openCommandStore(const std::string &path, bool create, const std::string &missingFix);

// The store a source command works on, opened as above: --store FILE, else the app's own store (the one the
// window opens without --store), created only when the command `offersCreate` and the line has --create.
// Without a store (`store` empty) the reason has been printed and `exitCode` is the command's: 2 for an
// empty --store (with the help), 1 for a store refused.
struct OpenedCommandStore {
    std::string path;
    std::optional<rl::UsageStore> store;
    int exitCode = 0;
};
OpenedCommandStore openCommandStore(const CommandLine &line, const std::string &appStore, const CommandHelp &help,
                                    bool offersCreate);

// A store opened for reading history (simulate, calibrate): upgraded first when it is of an earlier schema (with
// its backup), then read through connections of its own. A missing or refused store: the reason on stderr and
// nullopt (the command exits 1); nothing is created.
std::optional<rl::HistoryReader> openHistoryReader(const std::string &path);

} // namespace headless

#include "commandstore.h"

#include "commandhelp.h"
#include "commandline.h"

#include <filesystem>
#include <iostream>

namespace headless {

namespace {

// What to do when the store a source command names does not exist.
std::string missingStoreFix(bool flagged, bool offersCreate)
{
    const std::string create = offersCreate ? ", or add --create to start a new, empty store there" : "";
    if (flagged)
        return "check the path" + create;
    return "that is the app's store, made when the app first starts: start the app once, or pass --store FILE" + create;
}

} // namespace

std::optional<rl::UsageStore> openCommandStore(const std::string &path, bool create, const std::string &missingFix)
{
    std::error_code ec;
    const bool exists = std::filesystem::exists(path, ec);
    if (!exists && !create) {
        std::cerr << "There is no store at " << path << "; " << missingFix << "\n";
        return std::nullopt;
    }
    if (exists) {
        if (auto intact = rl::UsageStore::checkIntegrity(path); !intact) {
            std::cerr << intact.error().message << "\n";
            return std::nullopt;
        }
    }
    auto store = rl::UsageStore::open(path);
    if (!store) {
        std::cerr << store.error().message << "\n";
        return std::nullopt;
    }
    if (!exists)
        std::cout << "created a new, empty store at " << path << "\n";
    return std::move(store).value();
}

OpenedCommandStore openCommandStore(const CommandLine &line, const std::string &appStore, const CommandHelp &help,
                                    bool offersCreate)
{
    const std::optional<std::string> flag = line.value("--store");
    OpenedCommandStore opened{flag.value_or(appStore), std::nullopt, 0};
    if (opened.path.empty()) {
        opened.exitCode = help.usageError("--store needs a file name");
        return opened;
    }
    opened.store = openCommandStore(opened.path, offersCreate && line.has("--create"),
                                    missingStoreFix(flag.has_value(), offersCreate));
    if (!opened.store)
        opened.exitCode = 1;
    return opened;
}

std::optional<rl::HistoryReader> openHistoryReader(const std::string &path)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        std::cerr << "There is no store at " << path << "; check the path, or pass --store FILE\n";
        return std::nullopt;
    }
    {
        // Opened once for writing, so an older store is upgraded (with its backup) before it is read.
        auto store = rl::UsageStore::open(path);
        if (!store) {
            std::cerr << store.error().message << "\n";
            return std::nullopt;
        }
    }
    auto reader = rl::HistoryReader::open(path);
    if (!reader) {
        std::cerr << reader.error().message << "\n";
        return std::nullopt;
    }
    return std::move(reader).value();
}

} // namespace headless

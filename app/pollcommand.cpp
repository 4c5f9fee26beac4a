#include "commandhelp.h"
#include "commandline.h"
#include "commandstore.h"
#include "headlesscommands.h"

#include "net/httpclient.h"
#include "sources/sourcecredential.h"
#include "sources/sourcekinds.h"
#include "sources/sourcepoller.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace headless {

namespace {

const char *kPollHelp = R"help(Usage: routeledger poll --once [--source NAME] [--store FILE] [--json] [--max-pages N]

Polls the store's sources once, the way the app does: each from its stored cursor, page after page
until it has nothing more (or N pages, default 1000), every page stored with its new cursor in one
transaction. Without --source: every source that is not paused; --source NAME polls that one, paused
or not. Prints one line per source (OpenAI and Anthropic sources have a second part, "NAME (costs)",
with a line and a cursor of its own):
  NAME: E events added (D duplicates), B buckets, C cost lines upserted; cursor X; caught up
  NAME: 0 events added (0 duplicates), 0 buckets, 0 cost lines upserted; cursor X; failed: CODE: MESSAGE
--json prints one JSON object a line instead, with the keys source, events, duplicates, buckets,
cost_lines, cursor (null before the first page), caught_up and error ({"code", "message"} or null).

A source's key comes from the environment variable given to `sources add --key-env VAR`, or else from
the OS keychain entry the app's Sources page saved (which needs a Secret Service in this session).

Without --store: the app's store, )help";

const char *kPollHelpEnd = R"help(
Exit codes: 0 every source polled, 1 a source failed (its line says why; the others are polled and
stored all the same) or the store or the source name was refused, 2 wrong arguments.
)help";

using json = nlohmann::ordered_json; // keys in the documented order

// The key from where `sources add` said (an environment variable, or the keychain), with the fix named.
rl::Result<std::string> sourceKey(const rl::SourceSettings &source, const SourceCommandContext &context)
{
    if (rl::SourceCredential::environmentVariable(source))
        return rl::SourceCredential::fromEnvironment(source);
    const std::string other = "remove the source and add it again with --key-env VAR to read its key from an "
                              "environment variable";
    if (!context.readKey)
        return rl::Error{"keychain.unreachable", "no keychain can be used here; " + other, false};
    rl::Result<std::string> key = context.readKey(source.name);
    if (key)
        return key;
    const rl::Error &error = key.error();
    if (error.code == "keychain.unreachable")
        return rl::Error{error.code,
                         "No keychain service could be reached to read the key of \"" + source.name + "\" ("
                             + error.message
                             + "): start a Secret Service (GNOME Keyring or KWallet) in this session, or " + other,
                         false};
    if (error.code == "keychain.missing")
        return rl::Error{error.code,
                         "The keychain holds no key for \"" + source.name
                             + "\": enter it on the app's Sources page (Edit), or " + other,
                         false};
    return rl::Error{error.code, error.message + " Or " + other, false};
}

struct PartResult {
    std::string part;
    rl::PollReport report;
    std::optional<std::string> cursor;
};

void printLine(const PartResult &r, bool asJson, std::size_t maxPages)
{
    const rl::PollReport &p = r.report;
    if (asJson) {
        json line = {{"source", r.part},
                     {"events", p.inserted},
                     {"duplicates", p.duplicates},
                     {"buckets", p.buckets},
                     {"cost_lines", p.costLines},
                     {"cursor", r.cursor ? json(*r.cursor) : json(nullptr)},
                     {"caught_up", p.caughtUp},
                     {"error", p.error ? json{{"code", p.error->code}, {"message", p.error->message}} : json(nullptr)}};
        std::cout << line.dump() << std::endl;
        return;
    }
    std::cout << r.part << ": " << p.inserted << " events added (" << p.duplicates << " duplicates), " << p.buckets
              << " buckets, " << p.costLines << " cost lines upserted; cursor " << r.cursor.value_or("none") << "; ";
    if (p.error)
        std::cout << "failed: " << p.error->code << ": " << p.error->message;
    else if (p.caughtUp)
        std::cout << "caught up";
    else
        std::cout << "not caught up after " << maxPages << (maxPages == 1 ? " page" : " pages")
                  << ": poll again to go on";
    std::cout << std::endl; // a line at a time, for whoever reads it as it comes
}

} // namespace

int poll(const std::vector<std::string> &args, const SourceCommandContext &context)
{
    const CommandHelp help(kPollHelp, kPollHelpEnd, context.defaultStore);
    if (help.printIfAsked(args))
        return 0;
    CommandLine line(args, {"--store", "--source", "--max-pages"}, {"--once", "--json"});
    const std::optional<double> maxPagesFlag = line.number("--max-pages", 1, 1e6);
    if (!line.ok() || !line.positional().empty())
        return help.usageError(line.ok() ? "poll takes no names; use --source NAME" : line.error());
    if (!line.has("--once"))
        return help.usageError("poll needs --once (polling on a schedule is what the app does)");
    const std::size_t maxPages = maxPagesFlag ? static_cast<std::size_t>(*maxPagesFlag) : 1000;
    const bool asJson = line.has("--json");
    OpenedCommandStore opened = openCommandStore(line, context.defaultStore, help, false);
    if (!opened.store)
        return opened.exitCode;
    rl::UsageStore &store = *opened.store;
    auto settings = store.sourceSettings();
    auto pricing = store.pricing();
    if (!settings || !pricing) {
        std::cerr << (!settings ? settings.error() : pricing.error()).message << "\n";
        return 1;
    }

    std::vector<rl::SourceSettings> chosen;
    if (auto name = line.value("--source")) {
        for (const rl::SourceSettings &s : settings.value())
            if (s.name == *name)
                chosen.push_back(s);
        if (chosen.empty()) {
            std::cerr << "There is no source named \"" << *name << "\" in " << opened.path
                      << "; see routeledger sources list\n";
            return 1;
        }
    } else {
        for (const rl::SourceSettings &s : settings.value()) {
            if (s.paused)
                std::cerr << "skipped \"" << s.name << "\": it is paused (poll it with --source \"" << s.name
                          << "\")\n";
            else
                chosen.push_back(s);
        }
        if (settings->empty())
            std::cerr << "No sources in " << opened.path
                      << "; add one with: routeledger sources add --name NAME --kind TYPE --url URL\n";
    }

    // As the app's scheduler does: a few retries of transient failures, and pages well under 32 MB.
    rl::HttpClient::Options httpOptions;
    httpOptions.maxAttempts = 3;
    httpOptions.maxBodyBytes = 32u << 20;
    httpOptions.retryAfterMax = std::chrono::minutes(5);
    rl::HttpClient http(httpOptions);
    bool failed = false;
    for (const rl::SourceSettings &source : chosen) {
        rl::Result<std::string> key = sourceKey(source, context);
        auto connectors = rl::SourceKinds::connectors(source, key.valueOr(std::string()), http, pricing.value());
        if (!connectors || !key) {
            // Nothing polled: one line for each part the source has (or for the source, if even that is unknown).
            const rl::Error error = !key ? key.error() : connectors.error();
            std::vector<std::string> parts;
            if (connectors)
                for (const auto &connector : connectors.value())
                    parts.push_back(connector->sourceName());
            else
                parts.push_back(source.name);
            for (const std::string &part : parts) {
                PartResult r{part, {}, store.cursor(part).valueOr(std::nullopt)};
                r.report.error = error;
                printLine(r, asJson, maxPages);
            }
            failed = true;
            continue;
        }
        for (const auto &connector : connectors.value()) {
            PartResult r{connector->sourceName(), rl::SourcePoller::pollOnce(store, *connector, maxPages), {}};
            r.cursor = store.cursor(r.part).valueOr(std::nullopt);
            failed = failed || r.report.error.has_value();
            printLine(r, asJson, maxPages);
        }
    }
    return failed ? 1 : 0;
}

} // namespace headless

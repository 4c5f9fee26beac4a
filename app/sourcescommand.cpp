#include "commandhelp.h"
#include "commandline.h"
#include "commandstore.h"
#include "headlesscommands.h"

#include "net/httpclient.h"
#include "sources/sourcecredential.h"
#include "sources/sourcekinds.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>

namespace headless {

namespace {

const char *kSourcesHelp = R"help(Usage: routeledger sources list [--store FILE] [--json]
       routeledger sources add --name NAME --kind router|litellm|openai|anthropic|openrouter --url URL
                               [--interval SECONDS] [--key-env VAR] [--store FILE] [--create]
       routeledger sources remove --name NAME [--store FILE]

Manages the sources a store polls: the same list the app's Sources page edits.

  list    every source: type, URL, poll interval, paused, counted in spend, where its key comes from,
          the cursor of each part and the records stored. --json: a JSON array of objects with the keys
          name, kind, url, interval_s, paused, in_spend, key ("env:VAR" or "keychain"),
          cursors ({"<part>": cursor or null}) and records.
  add     checks the settings, listing every problem, and saves them (interval: 10 to 86400 seconds,
          default 300; the type's other options keep their defaults). The key is never stored:
          --key-env VAR reads it from the environment variable VAR each time the source is polled;
          without it, it comes from the OS keychain entry the app's Sources page saves under the
          source's name (service "RouteLedger").
  remove  forgets the source's settings and its keychain entry. The usage it brought in stays in the
          store with its cursors, so adding it again under the same name resumes where it stopped.
          The name may also be given alone: routeledger sources remove NAME.

Without --store: the app's store, )help";

const char *kSourcesHelpEnd = R"help(
The store must exist and be a RouteLedger store (sources add --create starts a new, empty one); a store
whose SQLite integrity check fails is refused before anything is written.
Exit codes: 0 done, 1 refused or failed (the reason on stderr; also a source name the store does not
have), 2 wrong arguments.
)help";

using json = nlohmann::ordered_json; // keys in the documented order

const rl::SourceSettings *findSource(const std::vector<rl::SourceSettings> &all, const std::string &name)
{
    auto it = std::find_if(all.begin(), all.end(), [&](const rl::SourceSettings &s) { return s.name == name; });
    return it == all.end() ? nullptr : &*it;
}

// Records stored for the source, all its parts ("<name>" and "<name> (<part>)") together, as the app counts.
std::int64_t recordsOf(const std::vector<rl::SourceTotals> &totals, const std::string &name)
{
    std::int64_t records = 0;
    for (const rl::SourceTotals &t : totals)
        if (t.name == name || t.name.rfind(name + " (", 0) == 0)
            records += t.records;
    return records;
}

// The store a sources subcommand works on (see openCommandStore), with its sources and the records stored for
// each part of them. Without a store the reason has been printed and `exitCode` is the subcommand's.
struct OpenedSources {
    std::string path;
    std::optional<rl::UsageStore> store;
    std::vector<rl::SourceSettings> settings;
    std::vector<rl::SourceTotals> totals;
    int exitCode = 0;
};

OpenedSources openSources(const CommandLine &line, const SourceCommandContext &context, const CommandHelp &help,
                          bool offersCreate)
{
    OpenedCommandStore opened = openCommandStore(line, context.defaultStore, help, offersCreate);
    OpenedSources out{std::move(opened.path), std::nullopt, {}, {}, opened.exitCode};
    if (!opened.store)
        return out;
    auto settings = opened.store->sourceSettings();
    auto totals = opened.store->sourceTotals();
    if (!settings || !totals) {
        std::cerr << (!settings ? settings.error() : totals.error()).message << "\n";
        out.exitCode = 1;
        return out;
    }
    out.store = std::move(opened.store);
    out.settings = std::move(settings).value();
    out.totals = std::move(totals).value();
    return out;
}

struct Listed {
    rl::SourceSettings settings;
    std::vector<std::pair<std::string, std::optional<std::string>>> cursors; // part -> cursor
    std::int64_t records = 0;
};

std::string yesNo(bool value)
{
    return value ? "yes" : "no";
}

void printTable(const std::vector<Listed> &sources)
{
    std::vector<std::vector<std::string>> rows = {
        {"NAME", "KIND", "URL", "EVERY", "PAUSED", "IN SPEND", "KEY", "CURSOR", "RECORDS"}};
    for (const Listed &l : sources) {
        std::string cursors;
        for (const auto &[part, cursor] : l.cursors) {
            std::string shown = cursor ? *cursor : "-";
            if (part != l.settings.name) // "<name> (costs)" -> "costs: …"
                shown =
                    part.substr(l.settings.name.size() + 2, part.size() - l.settings.name.size() - 3) + ": " + shown;
            cursors += (cursors.empty() ? "" : ", ") + shown;
        }
        rows.push_back({l.settings.name, l.settings.kind, l.settings.baseUrl,
                        std::to_string(l.settings.intervalS) + " s", yesNo(l.settings.paused),
                        yesNo(l.settings.inSpend), rl::SourceCredential::origin(l.settings),
                        cursors.empty() ? "-" : cursors, std::to_string(l.records)});
    }
    std::vector<std::size_t> widths(rows.front().size(), 0);
    for (const auto &row : rows)
        for (std::size_t c = 0; c < row.size(); ++c)
            widths[c] = std::max(widths[c], row[c].size());
    for (const auto &row : rows) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c)
            line += c + 1 < row.size() ? row[c] + std::string(widths[c] - row[c].size() + 2, ' ') : row[c];
        std::cout << line << "\n";
    }
}

int listSources(const std::vector<std::string> &args, const SourceCommandContext &context, const CommandHelp &help)
{
    CommandLine line(args, {"--store"}, {"--json"});
    if (!line.ok() || !line.positional().empty())
        return help.usageError(line.ok() ? "sources list takes no names; see --help" : line.error());
    OpenedSources opened = openSources(line, context, help, false);
    if (!opened.store)
        return opened.exitCode;
    rl::UsageStore &store = *opened.store;
    auto pricing = store.pricing();
    if (!pricing) {
        std::cerr << pricing.error().message << "\n";
        return 1;
    }
    std::vector<Listed> listed;
    rl::HttpClient http; // the connectors are only built to name the source's parts; nothing is sent
    for (const rl::SourceSettings &s : opened.settings) {
        Listed l{s, {}, recordsOf(opened.totals, s.name)};
        std::vector<std::string> parts{s.name};
        if (auto connectors = rl::SourceKinds::connectors(s, std::string(), http, pricing.value())) {
            parts.clear();
            for (const auto &connector : connectors.value())
                parts.push_back(connector->sourceName());
        }
        for (const std::string &part : parts) {
            auto cursor = store.cursor(part);
            if (!cursor) {
                std::cerr << cursor.error().message << "\n";
                return 1;
            }
            l.cursors.emplace_back(part, cursor.value());
        }
        listed.push_back(std::move(l));
    }
    if (line.has("--json")) {
        json out = json::array();
        for (const Listed &l : listed) {
            json cursors = json::object();
            for (const auto &[part, cursor] : l.cursors)
                cursors[part] = cursor ? json(*cursor) : json(nullptr);
            out.push_back({{"name", l.settings.name},
                           {"kind", l.settings.kind},
                           {"url", l.settings.baseUrl},
                           {"interval_s", l.settings.intervalS},
                           {"paused", l.settings.paused},
                           {"in_spend", l.settings.inSpend},
                           {"key", rl::SourceCredential::origin(l.settings)},
                           {"cursors", cursors},
                           {"records", l.records}});
        }
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    if (listed.empty()) {
        std::cout << "No sources in " << opened.path
                  << "; add one with: routeledger sources add --name NAME --kind TYPE --url URL\n";
        return 0;
    }
    printTable(listed);
    return 0;
}

int addSource(const std::vector<std::string> &args, const SourceCommandContext &context, const CommandHelp &help)
{
    CommandLine line(args, {"--name", "--kind", "--url", "--interval", "--key-env", "--store"}, {"--create"});
    // Any number here: SourceKinds::problems judges the range, together with everything else.
    const std::optional<double> interval = line.number("--interval", 0, 1e9);
    if (!line.ok() || !line.positional().empty())
        return help.usageError(line.ok() ? "sources add takes its settings as flags; see --help" : line.error());
    if (!line.value("--name") || !line.value("--kind") || !line.value("--url"))
        return help.usageError("sources add needs --name NAME, --kind TYPE and --url URL");
    if (interval && *interval != std::floor(*interval))
        return help.usageError("--interval expects whole seconds, got " + *line.value("--interval"));

    rl::SourceSettings settings;
    settings.name = *line.value("--name");
    settings.kind = *line.value("--kind");
    settings.baseUrl = *line.value("--url");
    settings.intervalS = interval ? static_cast<std::int64_t>(*interval) : settings.intervalS;
    nlohmann::json options = nlohmann::json::object(); // sorted keys, as the Sources dialog writes them
    if (settings.kind == "litellm")
        options["read"] = "spend_logs"; // the Sources dialog's default
    const std::optional<std::string> keyEnv = line.value("--key-env");
    if (keyEnv)
        options[rl::SourceCredential::kOption] = *keyEnv;
    settings.options = options.dump();
    // The key is not this command's to check: it is read when the source is polled.
    const std::vector<std::string> problems = rl::SourceKinds::problems(settings, true);
    if (!problems.empty()) {
        for (const std::string &problem : problems)
            std::cerr << problem << "\n";
        std::cerr << "Source \"" << settings.name << "\" was not added.\n";
        return 1;
    }

    OpenedSources opened = openSources(line, context, help, true);
    if (!opened.store)
        return opened.exitCode;
    rl::UsageStore &store = *opened.store;
    if (findSource(opened.settings, settings.name)) {
        std::cerr << "A source named \"" << settings.name << "\" exists already in " << opened.path
                  << ": choose another --name, or remove it first (routeledger sources remove --name " << settings.name
                  << ").\n";
        return 1;
    }
    if (auto saved = store.saveSourceSettings(settings); !saved) {
        std::cerr << saved.error().message << "\n";
        return 1;
    }
    std::cout << "added source \"" << settings.name << "\" (" << settings.kind << ", " << settings.baseUrl
              << ", polled every " << settings.intervalS << " s)\n";
    if (const std::int64_t earlier = recordsOf(opened.totals, settings.name); earlier > 0)
        std::cout << "the store already holds " << earlier << " records from a source of this name; polling resumes "
                  << "from its cursor\n";
    if (keyEnv) {
        std::cout << "its key is read from the environment variable " << *keyEnv << " each time it is polled\n";
        if (!std::getenv(keyEnv->c_str()))
            std::cerr << "note: " << *keyEnv << " is not set here; export it before routeledger poll\n";
    } else {
        std::cout << "its key is read from the OS keychain entry \"" << settings.name
                  << "\" (service RouteLedger) that the app's Sources page saves: enter it there (Edit), or add "
                     "the source with --key-env VAR to read it from an environment variable instead\n";
    }
    return 0;
}

int removeSource(const std::vector<std::string> &args, const SourceCommandContext &context, const CommandHelp &help)
{
    CommandLine line(args, {"--name", "--store"}, {});
    if (!line.ok())
        return help.usageError(line.error());
    if (line.positional().size() > 1 || (line.value("--name") && !line.positional().empty()))
        return help.usageError("sources remove takes one name: --name NAME (or NAME alone)");
    const std::optional<std::string> name =
        line.value("--name") ? line.value("--name")
                             : (line.positional().empty() ? std::nullopt : std::optional(line.positional().front()));
    if (!name)
        return help.usageError("sources remove needs --name NAME");
    OpenedSources opened = openSources(line, context, help, false);
    if (!opened.store)
        return opened.exitCode;
    rl::UsageStore &store = *opened.store;
    const rl::SourceSettings *source = findSource(opened.settings, *name);
    if (!source) {
        std::cerr << "There is no source named \"" << *name << "\" in " << opened.path
                  << "; see routeledger sources list\n";
        return 1;
    }
    const bool keyInKeychain = !rl::SourceCredential::environmentVariable(*source);
    if (auto removed = store.removeSourceSettings(*name); !removed) {
        std::cerr << removed.error().message << "\n";
        return 1;
    }
    std::cout << "removed source \"" << *name << "\"; the " << recordsOf(opened.totals, *name)
              << " records it brought in stay in the store, with its cursors (adding it again under this name "
                 "resumes where it stopped)\n";
    // As the Sources page does, the key goes too; the settings are gone either way.
    if (keyInKeychain && context.removeKey) {
        if (auto forgotten = context.removeKey(*name); forgotten)
            std::cout << "its key is no longer in the keychain\n";
        else if (forgotten.error().code != "keychain.missing")
            std::cerr << "note: its keychain entry could not be removed (" << forgotten.error().message
                      << "); remove the entry \"" << *name << "\" of the service RouteLedger yourself\n";
    }
    return 0;
}

} // namespace

int sources(const std::vector<std::string> &args, const SourceCommandContext &context)
{
    const CommandHelp help(kSourcesHelp, kSourcesHelpEnd, context.defaultStore);
    if (help.printIfAsked(args))
        return 0;
    if (args.empty())
        return help.usageError("sources needs list, add or remove");
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args.front() == "list")
        return listSources(rest, context, help);
    if (args.front() == "add")
        return addSource(rest, context, help);
    if (args.front() == "remove")
        return removeSource(rest, context, help);
    return help.usageError("unknown sources command \"" + args.front() + "\": use list, add or remove");
}

} // namespace headless

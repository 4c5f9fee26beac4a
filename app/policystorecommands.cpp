#include "commandhelp.h"
#include "commandline.h"
#include "commandstore.h"
#include "headlesscommands.h"

#include "boundedjson.h"
#include "routing/policyparser.h"
#include "routing/policywriter.h"
#include "sources/isotime.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>

namespace headless {

namespace {

const char *kListHelp = R"help(Usage: routeledger policy list [--store FILE] [--json]

Lists the store's published policy versions, oldest first (the version, when it was published in UTC,
who published it, the note; a rollback says which version it brought back), then its drafts by name
(when each was last saved and by whom, the version it started from, whether it is a valid policy).

  --json   one object: {"versions": [{"version", "published" (UTC, ISO 8601), "published_ms",
           "published_by", "note", "rollback_of" (or null)}], "drafts": [{"name", "updated", "updated_ms",
           "updated_by", "base_version" (or null), "valid", "problems" (the error lines)}]}

Without --store: the app's store, )help";

const char *kShowHelp = R"help(Usage: routeledger policy show [--store FILE] --version N|latest
       routeledger policy show [--store FILE] --draft NAME

Prints one published version, or one draft, as canonical policy JSON on stdout (the form
`routeledger validate-policy` reads and the router serves), so a pipeline can pull the published policy
into git: routeledger policy show --version latest > policy.json. A draft that is not a valid policy is
printed as it was saved, with its problems on stderr.

Without --store: the app's store, )help";

const char *kTail = R"help(
The store must exist and be a RouteLedger store; a store whose SQLite integrity check fails is refused.
Exit codes: 0 done, 1 refused (no such version or draft, or the store refused; the reason on stderr),
2 wrong arguments.
)help";

using json = nlohmann::ordered_json;

json orNull(const std::optional<std::int64_t> &value)
{
    return value ? json(*value) : json(nullptr);
}

void printTable(const std::vector<std::vector<std::string>> &rows)
{
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

// A note on one line of the table: its first line, cut at 60 characters.
std::string oneLine(const std::string &note)
{
    std::string line = note.substr(0, note.find('\n'));
    if (line.size() > 60)
        line = line.substr(0, 57) + "...";
    return line + (line.size() < note.size() ? " …" : "");
}

} // namespace

int policyList(const std::vector<std::string> &args, const SourceCommandContext &context)
{
    const CommandHelp help(kListHelp, kTail, context.defaultStore);
    if (help.printIfAsked(args))
        return 0;
    CommandLine line(args, {"--store"}, {"--json"});
    if (!line.ok() || !line.positional().empty())
        return help.usageError(line.ok() ? "policy list takes no names; see --help" : line.error());
    OpenedCommandStore opened = openCommandStore(line, context.defaultStore, help, false);
    if (!opened.store)
        return opened.exitCode;
    auto versions = opened.store->policyVersions();
    auto drafts = opened.store->policyDrafts();
    if (!versions || !drafts) {
        std::cerr << (!versions ? versions.error() : drafts.error()).message << "\n";
        return 1;
    }
    std::vector<rl::PolicyLoad> loads;
    for (const rl::PolicyDraftRecord &d : drafts.value())
        loads.push_back(rl::PolicyParser::parse(d.document));

    if (line.has("--json")) {
        json out{{"versions", json::array()}, {"drafts", json::array()}};
        for (const rl::PolicyVersionRecord &v : versions.value()) {
            out["versions"].push_back({{"version", v.version},
                                       {"published", rl::IsoTime::rfc3339(v.publishedMs)},
                                       {"published_ms", v.publishedMs},
                                       {"published_by", v.publishedBy},
                                       {"note", v.note},
                                       {"rollback_of", orNull(v.rollbackOf)}});
        }
        for (std::size_t i = 0; i < drafts->size(); ++i) {
            const rl::PolicyDraftRecord &d = drafts->at(i);
            json problems = json::array();
            for (const rl::PolicyIssue &issue : loads[i].errors)
                problems.push_back(issue.line());
            out["drafts"].push_back({{"name", d.name},
                                     {"updated", rl::IsoTime::rfc3339(d.updatedMs)},
                                     {"updated_ms", d.updatedMs},
                                     {"updated_by", d.updatedBy},
                                     {"base_version", orNull(d.baseVersion)},
                                     {"valid", loads[i].ok()},
                                     {"problems", problems}});
        }
        std::cout << rl::toJsonText(out) << "\n";
        return 0;
    }

    if (versions->empty()) {
        std::cout << "No published versions in " << opened.path << "\n";
    } else {
        std::vector<std::vector<std::string>> rows = {{"VERSION", "PUBLISHED (UTC)", "BY", "NOTE"}};
        for (const rl::PolicyVersionRecord &v : versions.value())
            rows.push_back({std::to_string(v.version), rl::IsoTime::rfc3339(v.publishedMs), v.publishedBy,
                            oneLine(v.note)
                                + (v.rollbackOf ? " (rollback to version " + std::to_string(*v.rollbackOf) + ")"
                                                : std::string())});
        printTable(rows);
    }
    std::cout << "\n";
    if (drafts->empty()) {
        std::cout << "No drafts in " << opened.path << "\n";
    } else {
        std::vector<std::vector<std::string>> rows = {{"DRAFT", "UPDATED (UTC)", "BY", "FROM", "STATUS"}};
        for (std::size_t i = 0; i < drafts->size(); ++i) {
            const rl::PolicyDraftRecord &d = drafts->at(i);
            const std::size_t problems = loads[i].errors.size();
            rows.push_back({d.name, rl::IsoTime::rfc3339(d.updatedMs), d.updatedBy,
                            d.baseVersion ? "version " + std::to_string(*d.baseVersion) : std::string("-"),
                            loads[i].ok() ? std::string("valid")
                                          : "invalid (" + std::to_string(problems)
                                                + (problems == 1 ? " problem)" : " problems)")});
        }
        printTable(rows);
    }
    return 0;
}

int policyShow(const std::vector<std::string> &args, const SourceCommandContext &context)
{
    const CommandHelp help(kShowHelp, kTail, context.defaultStore);
    if (help.printIfAsked(args))
        return 0;
    CommandLine line(args, {"--store", "--version", "--draft"}, {});
    if (!line.ok() || !line.positional().empty())
        return help.usageError(line.ok() ? "policy show takes --version N or --draft NAME, no names" : line.error());
    if (line.has("--version") == line.has("--draft"))
        return help.usageError("policy show needs one of --version N and --draft NAME");
    std::optional<std::int64_t> wanted; // nullopt with --version: the latest
    if (const auto version = line.value("--version"); version && *version != "latest") {
        std::int64_t number = 0;
        const bool digits =
            !version->empty() && version->size() < 16
            && std::all_of(version->begin(), version->end(), [](char c) { return c >= '0' && c <= '9'; });
        if (digits)
            number = std::stoll(*version);
        if (!digits || number < 1)
            return help.usageError("--version expects a version number (1, 2, …) or latest, got \"" + *version + "\"");
        wanted = number;
    }
    OpenedCommandStore opened = openCommandStore(line, context.defaultStore, help, false);
    if (!opened.store)
        return opened.exitCode;

    if (line.has("--version")) {
        auto versions = opened.store->policyVersions();
        if (!versions) {
            std::cerr << versions.error().message << "\n";
            return 1;
        }
        if (versions->empty()) {
            std::cerr << opened.path << " has no published policy versions; publish one from the app's Policy studio\n";
            return 1;
        }
        const rl::PolicyVersionRecord *found = &versions->back();
        if (wanted) {
            auto it = std::find_if(versions->begin(), versions->end(),
                                   [&](const rl::PolicyVersionRecord &v) { return v.version == *wanted; });
            if (it == versions->end()) {
                std::cerr << opened.path << " has no published version " << *wanted << " (it has versions 1 to "
                          << versions->back().version << "); see routeledger policy list\n";
                return 1;
            }
            found = &*it;
        }
        std::cout << found->document;
        return 0;
    }

    const std::string name = *line.value("--draft");
    auto drafts = opened.store->policyDrafts();
    if (!drafts) {
        std::cerr << drafts.error().message << "\n";
        return 1;
    }
    auto it =
        std::find_if(drafts->begin(), drafts->end(), [&](const rl::PolicyDraftRecord &d) { return d.name == name; });
    if (it == drafts->end()) {
        std::cerr << opened.path << " has no draft named \"" << name << "\"; see routeledger policy list\n";
        return 1;
    }
    const rl::PolicyLoad load = rl::PolicyParser::parse(it->document);
    if (load.ok()) {
        std::cout << rl::PolicyWriter::toText(*load.policy);
        return 0;
    }
    std::cerr << "draft \"" << name << "\" is not a valid policy yet; printed as it was saved. Its problems:\n";
    for (const rl::PolicyIssue &issue : load.errors)
        std::cerr << issue.line() << "\n";
    std::cout << it->document << (it->document.empty() || it->document.back() != '\n' ? "\n" : "");
    return 0;
}

} // namespace headless

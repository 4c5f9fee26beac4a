#include "commandhelp.h"
#include "commandline.h"
#include "commandstore.h"
#include "headlesscommands.h"

#include "boundedjson.h"
#include "sources/isotime.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <unistd.h>

namespace headless {

namespace {

const char *kVerifyHelp = R"help(Usage: routeledger audit verify [--store FILE]

Checks the store's audit log: every entry's SHA-256 against its contents, and each entry's link to the
one before it. Prints "audit log intact: N entries" and the last entry's hash, or names the first entry
that was edited, deleted or moved and what to do about it.

The chain cannot show entries cut off the end of the log: keep the last hash it prints somewhere else
(a ticket, a commit) and compare it later.

Without --store: the app's store, )help";

const char *kExportHelp = R"help(Usage: routeledger audit export [--store FILE] --format csv|jsonl [--out FILE]

Writes the whole audit log, oldest entry first, to FILE (written to a temporary file beside it, then
renamed, so FILE is never half-written) or to stdout. Each entry: seq, time (UTC, ISO 8601), time_ms,
actor, action, object, before, after (canonical JSON text, empty for nothing), prev_hash and hash.

  csv     RFC 4180: a header line, fields quoted when they hold a comma, a quote or a line break
          (quotes doubled), lines ending in CRLF
  jsonl   one JSON object per line, before and after as the JSON text they are (what the hash covers)

Without --store: the app's store, )help";

const char *kVerifyTail = R"help(
The store must exist and be a RouteLedger store; a store whose SQLite integrity check fails is refused.
Exit codes: 0 the chain holds, 1 it is broken (the first bad entry on stdout) or the store was refused
(the reason on stderr), 2 wrong arguments.
)help";

const char *kExportTail = R"help(
The store must exist and be a RouteLedger store; a store whose SQLite integrity check fails is refused.
Exit codes: 0 written, 1 refused (the store, or a FILE that cannot be written; the reason on stderr),
2 wrong arguments.
)help";

using json = nlohmann::ordered_json;

std::string csvField(const std::string &field)
{
    if (field.find_first_of(",\"\r\n") == std::string::npos)
        return field;
    std::string out = "\"";
    for (char c : field)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

void writeCsv(std::ostream &out, const std::vector<rl::AuditEntry> &entries)
{
    out << "seq,time,time_ms,actor,action,object,before,after,prev_hash,hash\r\n";
    for (const rl::AuditEntry &e : entries)
        out << e.seq << ',' << rl::IsoTime::rfc3339(e.timeMs) << ',' << e.timeMs << ',' << csvField(e.actor) << ','
            << csvField(e.action) << ',' << csvField(e.object) << ',' << csvField(e.before) << ',' << csvField(e.after)
            << ',' << e.prevHash << ',' << e.hash << "\r\n";
}

void writeJsonl(std::ostream &out, const std::vector<rl::AuditEntry> &entries)
{
    for (const rl::AuditEntry &e : entries)
        out << rl::toJsonText(json{{"seq", e.seq},
                                   {"time", rl::IsoTime::rfc3339(e.timeMs)},
                                   {"time_ms", e.timeMs},
                                   {"actor", e.actor},
                                   {"action", e.action},
                                   {"object", e.object},
                                   {"before", e.before},
                                   {"after", e.after},
                                   {"prev_hash", e.prevHash},
                                   {"hash", e.hash}})
            << "\n";
}

// Writes `text` to `path` through a temporary file beside it and a rename; false (the reason on stderr) when
// it cannot, leaving no temporary file behind.
bool writeFileAtomically(const std::string &path, const std::string &text)
{
    const std::filesystem::path target(path);
    const std::filesystem::path temporary =
        target.parent_path() / ("." + target.filename().string() + ".tmp-" + std::to_string(getpid()));
    auto fail = [&](const std::string &why) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        std::cerr << "cannot write " << path << ": " << why << "; choose a file in a folder you can write to\n";
        return false;
    };
    if (std::filesystem::is_directory(target))
        return fail("it is a folder");
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out)
            return fail(std::strerror(errno));
        out << text;
        out.flush();
        if (!out)
            return fail(std::strerror(errno));
    }
    std::error_code renamed;
    std::filesystem::rename(temporary, target, renamed);
    if (renamed)
        return fail(renamed.message());
    return true;
}

} // namespace

int auditVerify(const std::vector<std::string> &args, const SourceCommandContext &context)
{
    const CommandHelp help(kVerifyHelp, kVerifyTail, context.defaultStore);
    if (help.printIfAsked(args))
        return 0;
    CommandLine line(args, {"--store"}, {});
    if (!line.ok() || !line.positional().empty())
        return help.usageError(line.ok() ? "audit verify takes no names; see --help" : line.error());
    OpenedCommandStore opened = openCommandStore(line, context.defaultStore, help, false);
    if (!opened.store)
        return opened.exitCode;
    auto verified = opened.store->verifyAudit();
    if (!verified) {
        std::cerr << verified.error().message << "\n";
        return 1;
    }
    if (verified->ok) {
        std::cout << "audit log intact: " << verified->entries << (verified->entries == 1 ? " entry" : " entries")
                  << "\nlast hash: " << verified->lastHash << "\n";
        return 0;
    }
    std::cout << "audit log broken at entry " << verified->firstBadSeq.value_or(0) << " of " << opened.path << ": "
              << verified->problem << ".\n"
              << verified->advice << ".\n";
    return 1;
}

int auditExport(const std::vector<std::string> &args, const SourceCommandContext &context)
{
    const CommandHelp help(kExportHelp, kExportTail, context.defaultStore);
    if (help.printIfAsked(args))
        return 0;
    CommandLine line(args, {"--store", "--format", "--out"}, {});
    if (!line.ok() || !line.positional().empty())
        return help.usageError(line.ok() ? "audit export takes no names; see --help" : line.error());
    const std::optional<std::string> format = line.value("--format");
    if (!format)
        return help.usageError("audit export needs --format csv or --format jsonl");
    if (*format != "csv" && *format != "jsonl")
        return help.usageError("--format is csv or jsonl, not \"" + *format + "\"");
    const std::optional<std::string> outPath = line.value("--out");
    if (outPath && outPath->empty())
        return help.usageError("--out needs a file name");
    OpenedCommandStore opened = openCommandStore(line, context.defaultStore, help, false);
    if (!opened.store)
        return opened.exitCode;
    auto entries = opened.store->auditEntries({});
    if (!entries) {
        std::cerr << entries.error().message << "\n";
        return 1;
    }
    std::ostringstream text;
    if (*format == "csv")
        writeCsv(text, entries.value());
    else
        writeJsonl(text, entries.value());
    if (!outPath) {
        std::cout << text.str() << std::flush;
        return std::cout ? 0 : 1;
    }
    if (!writeFileAtomically(*outPath, text.str()))
        return 1;
    std::cerr << "wrote " << entries->size() << (entries->size() == 1 ? " entry" : " entries") << " to " << *outPath
              << "\n";
    return 0;
}

} // namespace headless

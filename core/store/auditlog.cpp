#include "store/auditlog.h"

#include "digest.h"

#include <algorithm>

namespace rl {

namespace {

constexpr const char *kColumns = R"(seq, time_ms, actor, action, object, "before", "after", prev_hash, hash)";

AuditEntry readEntry(const SqliteStatement &row)
{
    return {row.int64(0), row.int64(1), row.text(2), row.text(3), row.text(4),
            row.text(5),  row.text(6),  row.text(7), row.text(8)};
}

void appendField(std::string &out, std::string_view field)
{
    out += std::to_string(field.size());
    out += ':';
    out += field;
    out += ';';
}

std::string entryName(std::int64_t seq)
{
    return "entry " + std::to_string(seq);
}

// Whether `entry`, hashed as if it were entry `seq`, gives its own stored hash: it was written there.
bool writtenAs(const AuditEntry &entry, std::int64_t seq)
{
    AuditEntry moved = entry;
    moved.seq = seq;
    return AuditLog::hashOf(moved) == entry.hash;
}

} // namespace

std::string AuditLog::canonicalText(const AuditEntry &e)
{
    std::string out = "routeledger.audit/v1;";
    out.reserve(out.size() + e.actor.size() + e.action.size() + e.object.size() + e.before.size() + e.after.size()
                + 160);
    appendField(out, std::to_string(e.seq));
    appendField(out, std::to_string(e.timeMs));
    for (const std::string *field : {&e.actor, &e.action, &e.object, &e.before, &e.after, &e.prevHash})
        appendField(out, *field);
    return out;
}

std::string AuditLog::hashOf(const AuditEntry &entry)
{
    return sha256Hex(canonicalText(entry));
}

Result<AuditEntry> AuditLog::append(const AuditRecord &record, const std::string &actor, std::int64_t timeMs)
{
    if (record.action.empty())
        return Error{"audit.invalid", "an audit entry needs an action (for example budget.set)", false};
    Result<SqliteStatement> last = m_db.prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    if (!last)
        return last.error();
    Result<bool> row = last->step();
    if (!row)
        return row.error();
    AuditEntry entry;
    entry.seq = row.value() ? last->int64(0) + 1 : 1;
    entry.prevHash = row.value() ? last->text(1) : std::string(kGenesisHash);
    entry.timeMs = timeMs;
    entry.actor = actor.empty() ? std::string("unknown") : actor;
    entry.action = record.action;
    entry.object = record.object;
    entry.before = record.before;
    entry.after = record.after;
    entry.hash = hashOf(entry);
    Result<SqliteStatement> insert = m_db.prepare(std::string("INSERT INTO audit_log (") + kColumns
                                                  + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!insert)
        return insert.error();
    insert->bind(1, entry.seq).bind(2, entry.timeMs).bind(3, entry.actor).bind(4, entry.action).bind(5, entry.object);
    insert->bind(6, entry.before).bind(7, entry.after).bind(8, entry.prevHash).bind(9, entry.hash);
    if (Result<void> stored = insert->run(); !stored)
        return stored.error();
    return entry;
}

Result<std::vector<AuditEntry>> AuditLog::entries(const AuditFilter &filter)
{
    std::string sql = std::string("SELECT ") + kColumns + " FROM audit_log WHERE 1";
    const bool actionPrefix = !filter.action.empty() && filter.action.back() == '.';
    if (!filter.action.empty())
        sql += actionPrefix ? " AND substr(action, 1, length(?1)) = ?1" : " AND action = ?1";
    if (!filter.object.empty())
        sql += " AND instr(object, ?2) > 0";
    if (!filter.actor.empty())
        sql += " AND actor = ?3";
    if (filter.fromMs)
        sql += " AND time_ms >= ?4";
    if (filter.toMs)
        sql += " AND time_ms < ?5";
    sql += " ORDER BY seq";
    Result<SqliteStatement> query = m_db.prepare(sql);
    if (!query)
        return query.error();
    if (!filter.action.empty())
        query->bind(1, filter.action);
    if (!filter.object.empty())
        query->bind(2, filter.object);
    if (!filter.actor.empty())
        query->bind(3, filter.actor);
    if (filter.fromMs)
        query->bind(4, *filter.fromMs);
    if (filter.toMs)
        query->bind(5, *filter.toMs);
    std::vector<AuditEntry> out;
    if (Result<void> rowsRead = query->forEachRow([&] { out.push_back(readEntry(query.value())); }); !rowsRead)
        return rowsRead.error();
    return out;
}

Result<AuditVerification> AuditLog::verify()
{
    Result<std::vector<AuditEntry>> all = entries();
    if (!all)
        return all.error();
    return verify(all.value());
}

AuditVerification AuditLog::verify(const std::vector<AuditEntry> &entries)
{
    AuditVerification out;
    out.entries = static_cast<std::int64_t>(entries.size());
    auto broken = [&](std::int64_t seq, std::string problem) {
        out.ok = false;
        out.firstBadSeq = seq;
        out.problem = std::move(problem);
        out.advice = "The log cannot be trusted from entry " + std::to_string(seq)
                     + " on. Compare the store with a backup of it (a .backup-vN file beside it, or your own) to see "
                       "what was changed, find out who could write to the file, and restore the backup if the "
                       "change was not made through RouteLedger";
        return out;
    };
    std::string previous(kGenesisHash);
    std::int64_t expected = 1;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const AuditEntry &e = entries[i];
        if (hashOf(e) != e.hash) {
            // Intact but moved: the entry hashes right under another number (entries swapped, or renumbered
            // after some were deleted).
            const std::int64_t highest = entries.back().seq + static_cast<std::int64_t>(entries.size());
            for (std::int64_t t = 1; t <= highest; ++t) {
                if (t == e.seq || !writtenAs(e, t))
                    continue;
                auto there = std::find_if(entries.begin(), entries.end(),
                                          [&](const AuditEntry &other) { return other.seq == t; });
                if (there != entries.end() && writtenAs(*there, e.seq))
                    return broken(std::min(e.seq, t), "entries " + std::to_string(std::min(e.seq, t)) + " and "
                                                          + std::to_string(std::max(e.seq, t)) + " are out of order");
                if (t > e.seq)
                    return broken(e.seq, t == e.seq + 1
                                             ? entryName(e.seq) + " is missing (the entries after it were renumbered)"
                                             : "entries " + std::to_string(e.seq) + " to " + std::to_string(t - 1)
                                                   + " are missing (the entries after them were renumbered)");
                return broken(e.seq, entryName(e.seq) + " was moved (it was written as " + entryName(t) + ")");
            }
            return broken(e.seq, entryName(e.seq) + " was edited (its hash does not match)");
        }
        if (e.seq != expected)
            return broken(expected, e.seq == expected + 1 ? entryName(expected) + " is missing"
                                                          : "entries " + std::to_string(expected) + " to "
                                                                + std::to_string(e.seq - 1) + " are missing");
        if (e.prevHash != previous) {
            for (const AuditEntry &other : entries)
                if (other.seq > e.seq && other.hash == e.prevHash)
                    return broken(e.seq, "entries " + std::to_string(e.seq) + " and " + std::to_string(other.seq)
                                             + " are out of order");
            if (i == 0)
                return broken(e.seq, entryName(e.seq) + " does not start the chain (entries before it were removed)");
            return broken(e.seq - 1, entryName(e.seq) + " does not follow " + entryName(e.seq - 1) + " ("
                                         + entryName(e.seq - 1)
                                         + " was rewritten with a new hash, or entries were removed or replaced)");
        }
        previous = e.hash;
        ++expected;
    }
    out.lastHash = previous;
    return out;
}

} // namespace rl

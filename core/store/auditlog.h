#pragma once

#include "error.h"
#include "store/auditentry.h"
#include "store/sqlitedatabase.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rl {

// The store's tamper-evident audit log (table audit_log, schema 7): append-only, each entry carrying the
// SHA-256 of the one before it, so an entry edited, deleted or moved in the file is found by verify(). The
// store never updates or deletes an entry (triggers refuse it as a guard against mistakes; the hashes catch
// what is done to the file from outside). A log cut short at its end still verifies: the chain alone cannot
// tell, only a copy of the last hash kept elsewhere can (AuditVerification::lastHash).
// Works on the store writer's connection; UsageStore appends in the same transaction as the change.
class AuditLog {
public:
    static constexpr std::string_view kGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    static_assert(kGenesisHash.size() == 64);

    explicit AuditLog(SqliteDatabase &database) : m_db(database) {}

    // Appends the next entry; the caller holds the transaction of the change it records.
    Result<AuditEntry> append(const AuditRecord &record, const std::string &actor, std::int64_t timeMs);
    // In sequence order.
    Result<std::vector<AuditEntry>> entries(const AuditFilter &filter = {});
    Result<AuditVerification> verify();

    // What an entry's hash is taken over: seq, time_ms, actor, action, object, before, after and prev_hash, each
    // as "<byte length>:<bytes>;" (numbers in decimal), after the tag "routeledger.audit/v1;". Exact for any
    // bytes, so no two different entries serialize alike.
    static std::string canonicalText(const AuditEntry &entry);
    static std::string hashOf(const AuditEntry &entry);
    // Walks `entries` (in seq order, as stored) and reports the first one that breaks the chain.
    static AuditVerification verify(const std::vector<AuditEntry> &entries);

private:
    SqliteDatabase &m_db;
};

} // namespace rl

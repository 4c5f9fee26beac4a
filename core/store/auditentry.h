#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace rl {

// What a change appends to the store's audit log; the store adds the sequence number, time, actor and the
// hash chain. `before` and `after` are canonical JSON text (compact, keys in a fixed order), "" for nothing.
struct AuditRecord {
    std::string
        action; /* policy.draft_save, policy.draft_delete, policy.publish, policy.rollback, policy.push,
                   budget.set, budget.remove, settings.calendar, price.import, price.override, price.discount,
                   source.add, source.change, source.remove, source.rename, source.reset_cursor, identity.mappings */
    std::string object;
    std::string before;
    std::string after; /* canonical JSON text or "" */
};

// One entry of the log as stored. `hash` is the SHA-256 of the entry's canonical serialization
// (AuditLog::canonicalText), `prevHash` the hash of the entry before it (64 zeros for the first).
struct AuditEntry {
    std::int64_t seq = 0;
    std::int64_t timeMs = 0;
    std::string actor, action, object, before, after, prevHash, hash;
};

// Which entries to list. Empty strings and unset times match everything. `action` matches exactly, or as a
// prefix when it ends with '.' ("policy." is every policy action); `object` matches when it occurs in the
// entry's object; `actor` matches exactly; `fromMs` is inclusive, `toMs` exclusive.
struct AuditFilter {
    std::string action, object, actor;
    std::optional<std::int64_t> fromMs, toMs;
};

// The outcome of walking the chain. When not ok, `firstBadSeq` is the first entry that cannot be trusted,
// `problem` says what happened to it and `advice` what to do.
struct AuditVerification {
    bool ok = true;
    std::int64_t entries = 0;
    std::optional<std::int64_t> firstBadSeq;
    std::string problem; /* "entry 17 was edited (its hash does not match)", "entry 18 is missing",
                            "entries 20 and 21 are out of order" */
    std::string advice;  // extension: what to do about it (empty when ok)
    // Extension: the last entry's hash when ok (64 zeros for an empty log). Kept elsewhere, it shows later
    // whether entries were cut off the end, which the chain alone cannot.
    std::string lastHash;
};

} // namespace rl

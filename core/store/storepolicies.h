#pragma once

#include "error.h"
#include "store/auditentry.h"
#include "store/sqlitedatabase.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rl {

struct PolicyDraftRecord {
    std::string name;
    std::string document; /* JSON text, may be invalid */
    std::int64_t updatedMs = 0;
    std::string updatedBy;
    std::optional<std::int64_t> baseVersion;
};

struct PolicyVersionRecord {
    std::int64_t version = 0;
    std::string document; /* canonical, "version" = version */
    std::int64_t publishedMs = 0;
    std::string publishedBy;
    std::string note;
    std::optional<std::int64_t> rollbackOf;
};

struct RouterDeploymentRecord {
    std::string router; /* source name */
    std::string url;
    std::int64_t version = 0;
    std::string etag;
    std::int64_t atMs = 0;
    std::string outcome;
};

// A store's policy drafts (named, saved as typed, valid or not), its published versions (canonical documents
// numbered 1, 2, …; publishing refuses an invalid document and an empty note) and the deployments to routers.
// Works on the store writer's connection inside the caller's transaction; each change returns the audit record
// that goes with it, and UsageStore appends it in the same transaction.
class StorePolicies {
public:
    explicit StorePolicies(SqliteDatabase &database) : m_db(database) {}

    Result<std::vector<PolicyDraftRecord>> drafts(); // by name
    Result<std::optional<PolicyDraftRecord>> draft(const std::string &name);
    // Upserts by name; `draft` carries its time and author. nullopt: the same document was saved already.
    Result<std::optional<AuditRecord>> saveDraft(const PolicyDraftRecord &draft);
    Result<AuditRecord> deleteDraft(const std::string &name); // `policy.no_draft` when there is none

    Result<std::vector<PolicyVersionRecord>> versions(); // ascending
    Result<std::optional<PolicyVersionRecord>> version(std::int64_t version);
    // Validates `document`, numbers it max + 1 (or `atLeastVersion` when that is higher) and stores its
    // canonical text.
    Result<std::pair<PolicyVersionRecord, AuditRecord>> publish(const std::string &document, const std::string &note,
                                                                std::optional<std::int64_t> rollbackOf,
                                                                const std::string &actor, std::int64_t nowMs,
                                                                std::optional<std::int64_t> atLeastVersion = {});

    // `result.atMs` must be set.
    Result<AuditRecord> recordPush(const RouterDeploymentRecord &result, const std::string &details);
    Result<std::vector<RouterDeploymentRecord>> deployments(); // the latest per router, by router name

    // A document as the audit log keeps it: compact JSON with its keys in their order, or, for text that is not
    // JSON (a draft being typed), that text as a JSON string.
    static std::string auditJson(std::string_view document);

private:
    SqliteDatabase &m_db;
};

} // namespace rl

#include "store/storepolicies.h"

#include "boundedjson.h"
#include "routing/policyparser.h"
#include "routing/policywriter.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace rl {

namespace {

using ordered_json = nlohmann::ordered_json;

constexpr const char *kDraftColumns = "name, document, updated_ms, updated_by, base_version";
constexpr const char *kVersionColumns = "version, document, published_ms, published_by, note, rollback_of";

std::optional<std::int64_t> optionalInt(const SqliteStatement &row, int column)
{
    return row.isNull(column) ? std::nullopt : std::optional<std::int64_t>(row.int64(column));
}

PolicyDraftRecord readDraft(const SqliteStatement &row)
{
    return {row.text(0), row.text(1), row.int64(2), row.text(3), optionalInt(row, 4)};
}

PolicyVersionRecord readVersion(const SqliteStatement &row)
{
    return {row.int64(0), row.text(1), row.int64(2), row.text(3), row.text(4), optionalInt(row, 5)};
}

std::string versionName(std::int64_t version)
{
    return "version " + std::to_string(version);
}

ordered_json deploymentJson(const RouterDeploymentRecord &d)
{
    return ordered_json{{"router", d.router}, {"url", d.url},    {"version", d.version},
                        {"etag", d.etag},     {"at_ms", d.atMs}, {"outcome", d.outcome}};
}

bool blank(const std::string &text)
{
    return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

} // namespace

std::string StorePolicies::auditJson(std::string_view document)
{
    if (checkJsonShape(document, {PolicyParser::kMaxJsonDepth, PolicyParser::kMaxJsonValues})) {
        ordered_json parsed = ordered_json::parse(document, nullptr, false);
        if (!parsed.is_discarded())
            return toJsonText(parsed);
    }
    return toJsonText(ordered_json(std::string(document)));
}

Result<std::vector<PolicyDraftRecord>> StorePolicies::drafts()
{
    Result<SqliteStatement> query =
        m_db.prepare(std::string("SELECT ") + kDraftColumns + " FROM policy_drafts ORDER BY name");
    if (!query)
        return query.error();
    std::vector<PolicyDraftRecord> out;
    if (Result<void> rowsRead = query->forEachRow([&] { out.push_back(readDraft(query.value())); }); !rowsRead)
        return rowsRead.error();
    return out;
}

Result<std::optional<PolicyDraftRecord>> StorePolicies::draft(const std::string &name)
{
    Result<SqliteStatement> query =
        m_db.prepare(std::string("SELECT ") + kDraftColumns + " FROM policy_drafts WHERE name = ?1");
    if (!query)
        return query.error();
    query->bind(1, name);
    Result<bool> row = query->step();
    if (!row)
        return row.error();
    if (!row.value())
        return std::optional<PolicyDraftRecord>();
    return std::optional<PolicyDraftRecord>(readDraft(query.value()));
}

Result<std::optional<AuditRecord>> StorePolicies::saveDraft(const PolicyDraftRecord &d)
{
    if (d.name.empty() || blank(d.name))
        return Error{"policy.invalid_draft", "a draft needs a name; name it and save again", false};
    if (d.document.size() > PolicyParser::kMaxDocumentBytes)
        return Error{"policy.invalid_draft",
                     "draft \"" + d.name + "\" is larger than a policy may be ("
                         + std::to_string(PolicyParser::kMaxDocumentBytes >> 20) + " MiB); it was not saved",
                     false};
    Result<std::optional<PolicyDraftRecord>> previous = draft(d.name);
    if (!previous)
        return previous.error();
    if (previous.value() && previous.value()->document == d.document && previous.value()->baseVersion == d.baseVersion)
        return std::optional<AuditRecord>();
    Result<SqliteStatement> save = m_db.prepare(
        "INSERT INTO policy_drafts VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(name) DO UPDATE SET document = "
        "excluded.document, updated_ms = excluded.updated_ms, updated_by = excluded.updated_by, base_version = "
        "excluded.base_version");
    if (!save)
        return save.error();
    save->bind(1, d.name).bind(2, d.document).bind(3, d.updatedMs).bind(4, d.updatedBy).bind(5, d.baseVersion);
    if (Result<void> saved = save->run(); !saved)
        return saved.error();
    return std::optional<AuditRecord>(
        AuditRecord{"policy.draft_save", d.name,
                    previous.value() ? auditJson(previous.value()->document) : std::string(), auditJson(d.document)});
}

Result<AuditRecord> StorePolicies::deleteDraft(const std::string &name)
{
    Result<std::optional<PolicyDraftRecord>> previous = draft(name);
    if (!previous)
        return previous.error();
    if (!previous.value())
        return Error{"policy.no_draft", "there is no draft named \"" + name + "\"; nothing was deleted", false};
    Result<SqliteStatement> remove = m_db.prepare("DELETE FROM policy_drafts WHERE name = ?1");
    if (!remove)
        return remove.error();
    remove->bind(1, name);
    if (Result<void> removed = remove->run(); !removed)
        return removed.error();
    return AuditRecord{"policy.draft_delete", name, auditJson(previous.value()->document), std::string()};
}

Result<std::vector<PolicyVersionRecord>> StorePolicies::versions()
{
    Result<SqliteStatement> query =
        m_db.prepare(std::string("SELECT ") + kVersionColumns + " FROM published_policies ORDER BY version");
    if (!query)
        return query.error();
    std::vector<PolicyVersionRecord> out;
    if (Result<void> rowsRead = query->forEachRow([&] { out.push_back(readVersion(query.value())); }); !rowsRead)
        return rowsRead.error();
    return out;
}

Result<std::optional<PolicyVersionRecord>> StorePolicies::version(std::int64_t version)
{
    Result<SqliteStatement> query =
        m_db.prepare(std::string("SELECT ") + kVersionColumns + " FROM published_policies WHERE version = ?1");
    if (!query)
        return query.error();
    query->bind(1, version);
    Result<bool> row = query->step();
    if (!row)
        return row.error();
    if (!row.value())
        return std::optional<PolicyVersionRecord>();
    return std::optional<PolicyVersionRecord>(readVersion(query.value()));
}

Result<std::pair<PolicyVersionRecord, AuditRecord>>
StorePolicies::publish(const std::string &document, const std::string &note, std::optional<std::int64_t> rollbackOf,
                       const std::string &actor, std::int64_t nowMs, std::optional<std::int64_t> atLeastVersion)
{
    if (blank(note))
        return Error{"policy.note_required",
                     "publishing needs a note saying what changes and why; add one and publish again", false};
    PolicyLoad load = PolicyParser::parse(document);
    if (!load.ok()) {
        std::string message = "the policy was not published; fix these and publish again:";
        for (const PolicyIssue &issue : load.errors)
            message += "\n" + issue.line();
        return Error{"policy.invalid", message, false};
    }
    if (rollbackOf) {
        Result<std::optional<PolicyVersionRecord>> earlier = version(*rollbackOf);
        if (!earlier)
            return earlier.error();
        if (!earlier.value())
            return Error{"policy.no_version",
                         "there is no published version " + std::to_string(*rollbackOf)
                             + " to roll back to; choose one from the history",
                         false};
    }
    Result<std::vector<PolicyVersionRecord>> published = versions();
    if (!published)
        return published.error();
    const PolicyVersionRecord *latest = published->empty() ? nullptr : &published->back();
    PolicyVersionRecord record;
    record.version = std::max(latest ? latest->version + 1 : 1, atLeastVersion.value_or(1));
    // The canonical text with the new number: written, numbered, then read and written again.
    ordered_json numbered = PolicyWriter::toJson(*load.policy);
    numbered["version"] = record.version;
    PolicyLoad canonical = PolicyParser::parse(toJsonText(numbered));
    if (!canonical.ok())
        return Error{"policy.invalid", "the policy did not read back after numbering it; it was not published", false};
    record.document = PolicyWriter::toText(*canonical.policy);
    record.publishedMs = nowMs;
    record.publishedBy = actor;
    record.note = note;
    record.rollbackOf = rollbackOf;
    Result<SqliteStatement> insert = m_db.prepare("INSERT INTO published_policies VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!insert)
        return insert.error();
    insert->bind(1, record.version).bind(2, record.document).bind(3, record.publishedMs).bind(4, record.publishedBy);
    insert->bind(5, record.note).bind(6, record.rollbackOf);
    if (Result<void> stored = insert->run(); !stored)
        return stored.error();
    AuditRecord audit{rollbackOf ? "policy.rollback" : "policy.publish", versionName(record.version),
                      latest ? auditJson(latest->document) : std::string(), auditJson(record.document)};
    return std::pair{std::move(record), std::move(audit)};
}

Result<AuditRecord> StorePolicies::recordPush(const RouterDeploymentRecord &d, const std::string &details)
{
    if (d.router.empty() || d.outcome.empty())
        return Error{"policy.invalid_push", "a push result needs the router's name and its outcome", false};
    Result<SqliteStatement> previous = m_db.prepare(
        "SELECT router, url, version, etag, at_ms, outcome FROM router_deployments WHERE router = ?1 ORDER BY id DESC "
        "LIMIT 1");
    if (!previous)
        return previous.error();
    previous->bind(1, d.router);
    Result<bool> row = previous->step();
    if (!row)
        return row.error();
    std::string before;
    if (row.value())
        before = toJsonText(deploymentJson({previous->text(0), previous->text(1), previous->int64(2), previous->text(3),
                                            previous->int64(4), previous->text(5)}));
    previous->reset();
    Result<SqliteStatement> insert = m_db.prepare(
        "INSERT INTO router_deployments (router, url, version, etag, at_ms, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!insert)
        return insert.error();
    insert->bind(1, d.router).bind(2, d.url).bind(3, d.version).bind(4, d.etag).bind(5, d.atMs).bind(6, d.outcome);
    if (Result<void> stored = insert->run(); !stored)
        return stored.error();
    ordered_json after = deploymentJson(d);
    after["details"] = details;
    return AuditRecord{"policy.push", d.router, before, toJsonText(after)};
}

Result<std::vector<RouterDeploymentRecord>> StorePolicies::deployments()
{
    Result<SqliteStatement> query = m_db.prepare(
        "SELECT router, url, version, etag, at_ms, outcome FROM router_deployments d WHERE id = (SELECT max(id) FROM "
        "router_deployments WHERE router = d.router) ORDER BY router");
    if (!query)
        return query.error();
    std::vector<RouterDeploymentRecord> out;
    if (Result<void> rowsRead = query->forEachRow([&] {
            out.push_back(
                {query->text(0), query->text(1), query->int64(2), query->text(3), query->int64(4), query->text(5)});
        });
        !rowsRead)
        return rowsRead.error();
    return out;
}

} // namespace rl

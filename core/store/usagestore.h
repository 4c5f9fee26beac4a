#pragma once

#include "clock.h"
#include "error.h"
#include "pricing/pricing.h"
#include "store/auditentry.h"
#include "store/dimensionids.h"
#include "store/identitymap.h"
#include "store/ingestsink.h"
#include "store/orgcalendar.h"
#include "store/rollupaccumulator.h"
#include "store/sourcesettings.h"
#include "store/sqlitedatabase.h"
#include "store/storebudgets.h"
#include "store/storepolicies.h"
#include "store/storesources.h"
#include "store/usagerecords.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rl {

// The writer of one store file (DESIGN.md §3.3, §5: one writer connection per file). Opening migrates the
// schema; ingest commits a batch of events and buckets, their daily rollups and the source's cursor in
// one transaction, so a crash leaves every committed batch and nothing of the interrupted one. Budgets,
// identities, prices and sources are kept by StoreBudgets, StoreIdentities, StorePrices and StoreSources,
// policy drafts, versions and deployments by StorePolicies, the rollups by RollupAccumulator; the store
// forwards to them. Every change an admin makes (budgets, prices, sources, identity mappings, policies) also
// appends its entry to the audit log (AuditLog) in the same transaction: who (the actor), when (the store's
// clock), what, and the object before and after as canonical JSON. A change that changes nothing appends
// nothing.
class UsageStore final : public IngestSink {
public:
    // "Now" (a cursor's last ingest, a new source's creation) is read from `clock`; without one, or with an
    // empty one, from the system clock.
    static Result<UsageStore> open(const std::string &path);
    static Result<UsageStore> open(const std::string &path, Clock clock);

    UsageStore(UsageStore &&) noexcept = default;
    UsageStore &operator=(UsageStore &&) noexcept = default;

    // SQLite's own check of the file at `path` (PRAGMA integrity_check), on a read-only connection, before
    // anything opens it for writing: `store.damaged`, naming the first problem and what to do. Reads the
    // whole file, so commands call it, not the app's start-up.
    static Result<void> checkIntegrity(const std::string &path);

    Result<IngestResult> ingest(const IngestBatch &batch) override;
    Result<std::optional<std::string>> cursor(const std::string &source) override;

    // The organisation's time zone; days and budget periods are cut in it. Changing it rebuilds rollups.
    const OrgCalendar &calendar() const { return m_calendar; }
    Result<void> setTimeZone(const std::string &ianaName);

    // The admin's identity mappings. Setting them replaces the list, re-applies it to every stored record
    // (each keeps its source's own team and app) and rebuilds the rollups, in one transaction.
    const IdentityMap &identityMap() const { return m_identities; }
    Result<void> setIdentityMappings(const std::vector<IdentityMapping> &mappings);

    // The configured sources. Removing one keeps the usage it brought in (history stays true).
    Result<std::vector<SourceSettings>> sourceSettings();
    Result<void> saveSourceSettings(const SourceSettings &settings);
    Result<void> removeSourceSettings(const std::string &name);
    using SourceTotals = rl::SourceTotals;
    Result<std::vector<SourceTotals>> sourceTotals();
    // Renames a source's settings and its stored parts ("<old>" and "<old> (<part>)"), keeping their rows and
    // cursors, so a renamed source neither re-reads nor duplicates anything. Refused if `to` is taken.
    Result<void> renameSource(const std::string &from, const std::string &to);
    // Forgets where a source's connectors were, so the next poll reads from the start (rows are deduplicated).
    Result<void> resetCursors(const std::string &name);

    // Budgets (StoreBudgets::save: by id, else by scope, "each user" and period); each change is audited.
    Result<SpendBudget> saveBudget(const SpendBudget &budget);
    Result<SpendBudget> removeBudget(std::int64_t id);
    Result<std::vector<SpendBudget>> budgets();
    // The organisation's first weekday (1 = Monday … 7 = Sunday) and fiscal-year start month (1–12), which
    // budget periods follow; audited as settings.calendar.
    Result<void> setCalendarRules(int weekStart, int fiscalYearStartMonth);

    // Pricing for this store: an imported catalog (or the built-in one), with the store's overrides and
    // discounts. An import is validated whole; a bad file changes nothing.
    Result<void> importPriceCatalog(std::string_view json);
    Result<void> addPriceOverride(const PriceOverride &priceOverride);
    Result<void> addProviderDiscount(const ProviderDiscount &discount);
    Result<Pricing> pricing();

    // Who the audit log names for the changes made through this store (default: rl::currentOsUser()).
    void setActor(std::string actor);
    const std::string &actor() const { return m_actor; } // extension

    // Policy drafts: several at once, by name, saved as typed (valid or not). A draft's time and author
    // default to the store's clock and actor. Deleting a draft that is not there is `policy.no_draft`.
    Result<std::vector<PolicyDraftRecord>> policyDrafts();
    Result<void> savePolicyDraft(const PolicyDraftRecord &draft); // upsert by name
    Result<void> deletePolicyDraft(const std::string &name);
    // Published versions, numbered 1, 2, … Publishing validates the document (`policy.invalid` with every
    // error line), needs a note (`policy.note_required`), numbers it max + 1 and stores its canonical text.
    // A rollback publishes an earlier version's document again as a new version (`policy.rollback` in the log).
    // Extension: `atLeastVersion` numbers it at least that (above what a router already holds from elsewhere,
    // since a router only takes higher versions); the numbers then skip on purpose.
    Result<std::vector<PolicyVersionRecord>> policyVersions(); // ascending
    Result<PolicyVersionRecord> publishPolicy(const std::string &document, const std::string &note,
                                              std::optional<std::int64_t> rollbackOf = {},
                                              std::optional<std::int64_t> atLeastVersion = {});
    // What a push left on one router (its time defaults to the store's clock); `details` goes into the log.
    Result<void> recordPolicyPush(const RouterDeploymentRecord &result, const std::string &details);
    Result<std::vector<RouterDeploymentRecord>> routerDeployments(); // latest per router

    // The audit log: append (for changes made elsewhere), list, and verify the hash chain.
    Result<void> appendAudit(const AuditRecord &record);
    Result<std::vector<AuditEntry>> auditEntries(const AuditFilter &filter);
    Result<AuditVerification> verifyAudit();

    // Extension (for the demo, which dates what it publishes in its own past): replaces the store's clock.
    void setClock(Clock clock);

    // Recomputes every rollup from raw events and buckets (after a time-zone change; also what tests compare
    // the incremental rollups with).
    Result<void> rebuildRollups();

    // The clock the store was opened with (never empty), for what is generated to go with it (the demo).
    const Clock &clock() const { return m_clock; }

    SqliteDatabase &database() { return m_db; }
    const std::string &backupPath() const { return m_backup; }

private:
    UsageStore() = default;
    // Runs `change` and appends the audit record it returns, in one transaction; nullopt: nothing changed.
    Result<void> audited(const std::function<Result<std::optional<AuditRecord>>()> &change);
    Result<void> prepareStatements();
    Result<std::int64_t> dimension(const char *table, const std::string &name)
    {
        return m_ids.dimension(m_db, table, name);
    }
    // Removes the stored buckets of the batch's replaced range that the batch does not carry.
    Result<void> removeReplacedBuckets(const IngestBatch &batch, std::int64_t source,
                                       const std::vector<std::string> &bucketKeys, IngestResult &result);

    SqliteDatabase m_db;
    Clock m_clock;
    std::string m_actor;
    OrgCalendar m_calendar;
    std::string m_backup;
    SqliteStatement m_insertEvent, m_selectBucket, m_upsertBucket, m_setCursor, m_upsertCost, m_upsertFeedback;
    RollupAccumulator m_rollups;
    IdentityMap m_identities;
    DimensionIds m_ids; // forgotten whenever a transaction rolls back
};

} // namespace rl

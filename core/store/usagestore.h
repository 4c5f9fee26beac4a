#pragma once

#include "error.h"
#include "pricing/pricing.h"
#include "store/identitymap.h"
#include "store/ingestsink.h"
#include "store/orgcalendar.h"
#include "store/sourcesettings.h"
#include "store/sqlitedatabase.h"
#include "store/storesources.h"
#include "store/usagerecords.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace rl {

struct TeamBudget {
    std::string team;
    BudgetPeriod period = BudgetPeriod::Month;
    std::int64_t limitMicro = 0;
};

// The writer of one store file (DESIGN.md §3.3, §5: one writer connection per file). Opening migrates the
// schema; ingest commits a batch of events and buckets, their daily rollups and the source's cursor in
// one transaction, so a crash leaves every committed batch and nothing of the interrupted one.
class UsageStore final : public IngestSink {
public:
    static Result<UsageStore> open(const std::string &path);

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
    Result<bool> setTimeZone(const std::string &ianaName);

    // The admin's identity mappings. Setting them replaces the list, re-applies it to every stored record
    // (each keeps its source's own team and app) and rebuilds the rollups, in one transaction.
    const IdentityMap &identityMap() const { return m_identities; }
    Result<bool> setIdentityMappings(const std::vector<IdentityMapping> &mappings);

    // The configured sources. Removing one keeps the usage it brought in (history stays true).
    Result<std::vector<SourceSettings>> sourceSettings();
    Result<bool> saveSourceSettings(const SourceSettings &settings);
    Result<bool> removeSourceSettings(const std::string &name);
    using SourceTotals = rl::SourceTotals;
    Result<std::vector<SourceTotals>> sourceTotals();
    // Renames a source's settings and its stored parts ("<old>" and "<old> (<part>)"), keeping their rows and
    // cursors, so a renamed source neither re-reads nor duplicates anything. Refused if `to` is taken.
    Result<bool> renameSource(const std::string &from, const std::string &to);
    // Forgets where a source's connectors were, so the next poll reads from the start (rows are deduplicated).
    Result<bool> resetCursors(const std::string &name);

    Result<bool> setBudget(const TeamBudget &budget);
    Result<bool> removeBudget(const std::string &team);
    Result<std::vector<TeamBudget>> budgets();

    // Pricing for this store: an imported catalog (or the built-in one), with the store's overrides and
    // discounts. An import is validated whole; a bad file changes nothing.
    Result<bool> importPriceCatalog(std::string_view json);
    Result<bool> addPriceOverride(const PriceOverride &priceOverride);
    Result<bool> addProviderDiscount(const ProviderDiscount &discount);
    Result<Pricing> pricing();

    // Recomputes every rollup from raw events and buckets (after a time-zone change; also what tests compare
    // the incremental rollups with).
    Result<bool> rebuildRollups();

    SqliteDatabase &database() { return m_db; }
    const std::string &backupPath() const { return m_backup; }

private:
    UsageStore() = default;
    Result<bool> prepareStatements();
    // The id of `name`, inserting it with `sql` (binding ?1 = name, ?2 = extra or rank) the first time.
    Result<std::int64_t> cachedId(const std::string &cacheKey, const std::string &name, const std::string &sql,
                                  const std::optional<std::string> &extra, std::optional<int> rank);
    Result<std::int64_t> dimension(const char *table, const std::string &name);
    Result<std::int64_t> tierId(const std::string &name, int rank);
    Result<std::int64_t> sourceId(const std::string &name, const std::string &kind);
    Result<bool> loadIdentityMap();
    Result<bool> reapplyIdentities();
    // The store ids of the team and app the identity mappings give a record.
    Result<std::pair<std::int64_t, std::int64_t>> resolvedIds(const IdentityMap::Record &record);
    void forgetCachedIds();

    SqliteDatabase m_db;
    OrgCalendar m_calendar;
    std::string m_backup;
    SqliteStatement m_insertEvent, m_upsertRollup, m_selectBucket, m_upsertBucket, m_policyVersion, m_setCursor,
        m_upsertLatency, m_upsertUser, m_upsertCost;
    IdentityMap m_identities;
    std::map<std::string, std::unordered_map<std::string, std::int64_t>>
        m_ids; // table -> name -> id; cleared when a transaction rolls back
};

} // namespace rl

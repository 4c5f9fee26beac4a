#pragma once

#include "error.h"
#include "pricing/pricing.h"
#include "store/orgcalendar.h"
#include "store/sqlitedatabase.h"
#include "store/usagequeries.h"
#include "store/usagerecords.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rl {

// A stored event as a replay reads it: the event (names resolved) and the source it came from.
struct StoredEvent {
    UsageEvent event;
    std::string_view source;
    std::int64_t day = 0; // the organisation's day (OrgCalendar)
};

// Streams a store's events of a period and scope to a replay, one at a time on a read-only connection of its own
// (memory stays flat however many events there are; the store's writer may ingest meanwhile, WAL). Sources kept
// out of spend are left out unless named (they report traffic another source already reports). Also reads what
// a replay needs besides the events: the store's prices and its published policy versions.
class HistoryReader {
public:
    static Result<HistoryReader> open(const std::string &path);

    const OrgCalendar &calendar() const { return m_calendar; }
    const std::string &path() const { return m_path; }

    // About how many events the scope holds per day, ascending by day, days without any left out: for progress
    // and for sharing a read between threads. From the daily rollups (milliseconds, where counting the events
    // takes a second on a large store), so the requests of aggregated usage (usage buckets) count too.
    // `filter.tier` and `filter.model` are not used.
    struct DayEstimate {
        std::int64_t day = 0;
        std::int64_t requests = 0;
    };
    Result<std::vector<DayEstimate>> estimateByDay(const UsageFilter &filter);
    // What a read fills in. Reading a column costs about as much as deciding an event twice, so a replay asks
    // only for what its decisions and prices need.
    enum class Fields {
        All,    // everything the store keeps for an event
        Replay, // not the request id, provider, recorded tier, rule, policy version, frontier cost, latency and
                // unmetered flag (left empty or zero)
    };
    // Calls `onEvent` for each event of the scope; it returns false to stop (Error "simulate.cancelled").
    // The event is reused between calls: copy what must outlive the call.
    Result<void> forEach(const UsageFilter &filter, const std::function<bool(const StoredEvent &)> &onEvent,
                         Fields fields = Fields::All);

    Result<Pricing> pricing();
    // The canonical document of a published version; nullopt for the latest when none is published.
    Result<std::optional<std::string>> publishedPolicy(std::optional<std::int64_t> version = {});

    SqliteDatabase &database() { return m_db; }

private:
    HistoryReader() = default;
    Result<void> loadNames();
    Result<std::string> where(const UsageFilter &filter, std::vector<std::int64_t> &binds);

    SqliteDatabase m_db;
    std::string m_path;
    OrgCalendar m_calendar;
    // Dimension names by id (ids are small and dense): read once, so a row costs no lookups.
    std::vector<std::string> m_teams, m_users, m_apps, m_models, m_rules, m_tiers, m_sources;
    std::vector<int> m_tierRanks;
};

} // namespace rl

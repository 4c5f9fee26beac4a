#pragma once

#include "error.h"
#include "store/sqlitedatabase.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

namespace rl {

// The ids of the names that stored rows refer to (teams, users, apps, models, rules, tiers, sources), inserted
// the first time a name is written and cached after that, so an ingest looks each name up once. Ids handed
// out inside a transaction that rolls back no longer exist: forget() after every rollback.
class DimensionIds {
public:
    // `table` is one of teams, users, apps, models, rules; an empty name is id 0 (unassigned).
    Result<std::int64_t> dimension(SqliteDatabase &db, const char *table, const std::string &name);
    // A tier's rank is updated when the source knows it (rank >= 0).
    Result<std::int64_t> tier(SqliteDatabase &db, const std::string &name, int rank);
    Result<std::int64_t> source(SqliteDatabase &db, const std::string &name, const std::string &kind);
    void forget() { m_ids.clear(); }

    // For readers (read-only connections, no cache): the id of `name` in `table` (teams, apps, sources, …), or
    // -1 when the store has never seen it (a filter on it matches nothing).
    static Result<std::int64_t> find(SqliteDatabase &db, const char *table, const std::string &name);

private:
    // The id of `name`, inserting it with `sql` (binding ?1 = name, ?2 = extra or rank) the first time.
    Result<std::int64_t> cached(SqliteDatabase &db, const std::string &cacheKey, const std::string &name,
                                const std::string &sql, const std::optional<std::string> &extra,
                                std::optional<int> rank);

    std::map<std::string, std::unordered_map<std::string, std::int64_t>> m_ids; // table -> name -> id
};

} // namespace rl

#pragma once

#include "error.h"
#include "store/dimensionids.h"
#include "store/identitymap.h"
#include "store/sqlitedatabase.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace rl {

// A store's identity mappings: loaded into the store's IdentityMap when it opens; replaced whole, re-applied to
// every stored event, bucket and cost line (each keeps its source's own team and app, so a later change can
// be applied again) and the rollups rebuilt, in one transaction. Works on the store writer's connection, its
// name ids and its map; UsageStore forwards to it.
class StoreIdentities {
public:
    StoreIdentities(SqliteDatabase &database, DimensionIds &ids, IdentityMap &map)
        : m_db(database), m_ids(ids), m_map(map)
    {}

    Result<void> load();
    // Invalid mappings are refused with every problem named; on any failure the map and the file stay as they were.
    Result<void> replace(const std::vector<IdentityMapping> &mappings);

private:
    Result<void> reapply();
    // The store ids of the team and app the mappings give a record.
    Result<std::pair<std::int64_t, std::int64_t>> resolvedIds(const IdentityMap::Record &record);

    SqliteDatabase &m_db;
    DimensionIds &m_ids;
    IdentityMap &m_map;
};

} // namespace rl

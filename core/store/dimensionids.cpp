#include "store/dimensionids.h"

namespace rl {

Result<std::int64_t> DimensionIds::cached(SqliteDatabase &db, const std::string &cacheKey, const std::string &name,
                                          const std::string &sql, const std::optional<std::string> &extra,
                                          std::optional<int> rank)
{
    auto &cache = m_ids[cacheKey];
    if (auto it = cache.find(name); it != cache.end())
        return it->second;
    Result<SqliteStatement> insert = db.prepare(sql);
    if (!insert)
        return insert.error();
    insert->bind(1, name);
    if (extra)
        insert->bind(2, *extra);
    if (rank)
        insert->bind(2, *rank);
    Result<bool> row = insert->step();
    if (!row)
        return row.error();
    const std::int64_t id = insert->int64(0);
    cache.emplace(name, id);
    return id;
}

Result<std::int64_t> DimensionIds::dimension(SqliteDatabase &db, const char *table, const std::string &name)
{
    if (name.empty())
        return std::int64_t(0);
    return cached(db, table, name,
                  std::string("INSERT INTO ") + table
                      + " (name) VALUES (?1) ON CONFLICT(name) DO UPDATE SET name = name RETURNING id",
                  std::nullopt, std::nullopt);
}

Result<std::int64_t> DimensionIds::tier(SqliteDatabase &db, const std::string &name, int rank)
{
    if (name.empty())
        return std::int64_t(0);
    return cached(db, "tiers", name,
                  "INSERT INTO tiers (name, rank) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET "
                  "rank = CASE WHEN excluded.rank >= 0 THEN excluded.rank ELSE rank END RETURNING id",
                  std::nullopt, rank);
}

Result<std::int64_t> DimensionIds::source(SqliteDatabase &db, const std::string &name, const std::string &kind)
{
    return cached(db, "sources", name,
                  "INSERT INTO sources (name, kind, created_ms) VALUES (?1, ?2, 0) ON CONFLICT(name) DO UPDATE SET "
                  "name = name RETURNING id",
                  kind, std::nullopt);
}

Result<std::int64_t> DimensionIds::find(SqliteDatabase &db, const char *table, const std::string &name)
{
    Result<SqliteStatement> query = db.prepare(std::string("SELECT id FROM ") + table + " WHERE name = ?1");
    if (!query)
        return query.error();
    query->bind(1, name);
    Result<bool> row = query->step();
    if (!row)
        return row.error();
    return row.value() ? query->int64(0) : std::int64_t(-1);
}

} // namespace rl

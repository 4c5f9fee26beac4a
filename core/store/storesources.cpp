#include "store/storesources.h"

namespace rl {

Result<std::vector<SourceSettings>> StoreSources::settings()
{
    Result<SqliteStatement> query =
        m_db.prepare("SELECT name, kind, base_url, interval_s, paused, options, created_ms, "
                     "in_spend FROM source_settings ORDER BY created_ms, name");
    if (!query)
        return query.error();
    std::vector<SourceSettings> out;
    if (Result<void> rowsRead = query->forEachRow([&] {
            out.push_back({query->text(0), query->text(1), query->text(2), query->int64(3), query->int64(4) != 0,
                           query->text(5), query->int64(6), query->int64(7) != 0});
        });
        !rowsRead)
        return rowsRead.error();
    return out;
}

Result<void> StoreSources::save(const SourceSettings &settings)
{
    if (settings.name.empty() || settings.kind.empty())
        return Error{"source.invalid", "a source needs a name and a type", false};
    if (settings.intervalS < 10)
        return Error{"source.invalid",
                     "source \"" + settings.name + "\": poll at most every 10 seconds (the interval was "
                         + std::to_string(settings.intervalS) + " s)",
                     false};
    Result<SqliteStatement> save =
        m_db.prepare("INSERT INTO source_settings VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(name) DO UPDATE "
                     "SET kind = excluded.kind, base_url = excluded.base_url, interval_s = excluded.interval_s, "
                     "paused = excluded.paused, options = excluded.options, in_spend = excluded.in_spend");
    if (!save)
        return save.error();
    save->bind(1, settings.name).bind(2, settings.kind).bind(3, settings.baseUrl).bind(4, settings.intervalS);
    save->bind(5, settings.paused ? 1 : 0).bind(6, settings.options.empty() ? std::string("{}") : settings.options);
    save->bind(7, settings.createdMs != 0 ? settings.createdMs : readClock(m_clock)).bind(8, settings.inSpend ? 1 : 0);
    if (Result<void> saved = save->run(); !saved)
        return saved;
    // The source's usage rows (its main part; cost lines are never spend) follow the setting.
    Result<SqliteStatement> spend = m_db.prepare(
        "INSERT INTO sources (name, kind, created_ms, in_spend) VALUES (?1, ?2, 0, ?3) ON CONFLICT(name) DO UPDATE "
        "SET in_spend = excluded.in_spend");
    if (!spend)
        return spend.error();
    spend->bind(1, settings.name).bind(2, settings.kind).bind(3, settings.inSpend ? 1 : 0);
    return spend->run();
}

Result<void> StoreSources::remove(const std::string &name)
{
    Result<SqliteStatement> statement = m_db.prepare("DELETE FROM source_settings WHERE name = ?1");
    if (!statement)
        return statement.error();
    statement->bind(1, name);
    return statement->run();
}

Result<std::vector<SourceTotals>> StoreSources::totals()
{
    Result<SqliteStatement> query =
        m_db.prepare("SELECT s.name, sum(n), max(newest) FROM ("
                     "  SELECT source_id, count(*) AS n, max(time_ms) AS newest FROM usage_events GROUP BY source_id"
                     "  UNION ALL SELECT source_id, count(*), max(end_ms) FROM usage_buckets GROUP BY source_id"
                     "  UNION ALL SELECT source_id, count(*), max(end_ms) FROM cost_lines GROUP BY source_id"
                     ") JOIN sources s ON s.id = source_id GROUP BY s.name ORDER BY s.name");
    if (!query)
        return query.error();
    std::vector<SourceTotals> out;
    if (Result<void> rowsRead = query->forEachRow([&] {
            out.push_back({query->text(0), query->int64(1), query->int64(2)});
        });
        !rowsRead)
        return rowsRead.error();
    return out;
}

Result<void> StoreSources::rename(const std::string &from, const std::string &to)
{
    if (from == to)
        return {};
    SqliteTransaction transaction(m_db);
    if (Result<void> begun = transaction.begin(); !begun)
        return begun;
    Result<SqliteStatement> taken =
        m_db.prepare("SELECT count(*) FROM sources WHERE name = ?1 OR substr(name, 1, length(?1) + 2) = ?1 || ' ('");
    if (!taken)
        return taken.error();
    taken->bind(1, to);
    if (Result<bool> row = taken->step(); !row)
        return row.error();
    if (taken->int64(0) > 0)
        return Error{"source.name_taken",
                     "the store already holds usage from a source named \"" + to + "\": choose another name", false};
    for (const char *sql :
         {"UPDATE sources SET name = ?2 || substr(name, length(?1) + 1) WHERE name = ?1 OR substr(name, 1, "
          "length(?1) + 2) = ?1 || ' ('",
          "UPDATE source_settings SET name = ?2 WHERE name = ?1"}) {
        Result<SqliteStatement> statement = m_db.prepare(sql);
        if (!statement)
            return statement.error();
        statement->bind(1, from).bind(2, to);
        if (Result<void> done = statement->run(); !done)
            return done;
    }
    return transaction.commit();
}

Result<void> StoreSources::resetCursors(const std::string &name)
{
    // A source's connectors are stored as "<name>" and "<name> (<part>)".
    Result<SqliteStatement> reset = m_db.prepare(
        "UPDATE sources SET cursor = NULL WHERE name = ?1 OR substr(name, 1, length(?1) + 2) = ?1 || ' ('");
    if (!reset)
        return reset.error();
    reset->bind(1, name);
    return reset->run();
}

} // namespace rl

#include "store/storeidentities.h"

#include "store/dimensionskey.h"
#include "store/rollupaccumulator.h"

#include <string>
#include <unordered_map>

namespace rl {

Result<void> StoreIdentities::load()
{
    Result<SqliteStatement> query = m_db.prepare("SELECT field, value, team, app FROM identity_mappings ORDER BY 1, 2");
    if (!query)
        return query.error();
    std::vector<IdentityMapping> mappings;
    if (Result<void> rowsRead = query->forEachRow([&]() -> Result<void> {
            std::optional<IdentityField> field = identityFieldFromName(query->text(0));
            if (!field)
                return {}; // written by a newer version: ignored rather than misapplied
            mappings.push_back({*field, query->text(1), query->text(2), query->text(3)});
            return {};
        });
        !rowsRead)
        return rowsRead.error();
    m_map = IdentityMap(std::move(mappings));
    return {};
}

Result<void> StoreIdentities::replace(const std::vector<IdentityMapping> &mappings)
{
    if (std::vector<std::string> problems = IdentityMap::problems(mappings); !problems.empty()) {
        std::string message = "the identity mappings were not saved: ";
        for (std::size_t i = 0; i < problems.size(); ++i)
            message += (i ? "; " : "") + problems[i];
        return Error{"mapping.invalid", message, false};
    }
    const IdentityMap previous = m_map;
    SqliteTransaction transaction(m_db);
    auto fail = [&](const Error &error) -> Result<void> {
        m_map = previous;
        m_ids.forget(); // ids handed out inside the rolled-back transaction no longer exist
        return error;
    };
    if (Result<void> begun = transaction.begin(); !begun)
        return begun;
    if (Result<void> cleared = m_db.execute("DELETE FROM identity_mappings"); !cleared)
        return fail(cleared.error());
    Result<SqliteStatement> insert = m_db.prepare("INSERT INTO identity_mappings VALUES (?1, ?2, ?3, ?4)");
    if (!insert)
        return fail(insert.error());
    for (const IdentityMapping &m : mappings) {
        insert->bind(1, identityFieldName(m.field)).bind(2, m.value).bind(3, m.team).bind(4, m.app);
        if (Result<void> stored = insert->run(); !stored)
            return fail(stored.error());
    }
    m_map = IdentityMap(mappings);
    if (Result<void> applied = reapply(); !applied)
        return fail(applied.error());
    if (Result<void> rebuilt = RollupAccumulator::rebuild(m_db); !rebuilt)
        return fail(rebuilt.error());
    if (Result<void> committed = transaction.commit(); !committed)
        return fail(committed.error());
    return {};
}

Result<std::pair<std::int64_t, std::int64_t>> StoreIdentities::resolvedIds(const IdentityMap::Record &record)
{
    const IdentityMap::Identity identity = m_map.resolve(record);
    Result<std::int64_t> teamId = m_ids.dimension(m_db, "teams", identity.team);
    if (!teamId)
        return teamId.error();
    Result<std::int64_t> appId = m_ids.dimension(m_db, "apps", identity.app);
    if (!appId)
        return appId.error();
    return std::pair{teamId.value(), appId.value()};
}

Result<void> StoreIdentities::reapply()
{
    // Dimension names by id, for the events' own team and app.
    std::unordered_map<std::int64_t, std::string> teamNames, appNames;
    for (const auto &entry : {std::pair{"teams", &teamNames}, std::pair{"apps", &appNames}}) {
        auto *names = entry.second; // a plain variable: a lambda may not capture a structured binding (clang 14)
        Result<SqliteStatement> all = m_db.prepare(std::string("SELECT id, name FROM ") + entry.first);
        if (!all)
            return all.error();
        if (Result<void> rowsRead = all->forEachRow([&] { names->emplace(all->int64(0), all->text(1)); }); !rowsRead)
            return rowsRead.error();
    }
    Result<SqliteStatement> events =
        m_db.prepare("SELECT id, COALESCE(source_team_id, team_id), COALESCE(source_app_id, app_id), tags, team_id, "
                     "app_id FROM usage_events");
    Result<SqliteStatement> updateEvent = m_db.prepare(
        "UPDATE usage_events SET team_id = ?2, app_id = ?3, source_team_id = ?4, source_app_id = ?5 WHERE id = ?1");
    if (!events)
        return events.error();
    if (!updateEvent)
        return updateEvent.error();
    if (Result<void> rowsRead = events->forEachRow([&]() -> Result<void> {
            const std::int64_t ownTeam = events->int64(1), ownApp = events->int64(2);
            const std::vector<std::string> tags = splitStoredTags(events->text(3));
            auto ids = resolvedIds({teamNames[ownTeam], appNames[ownApp], {}, {}, &tags});
            if (!ids)
                return ids.error();
            const auto [teamId, appId] = ids.value();
            if (teamId == events->int64(4) && appId == events->int64(5))
                return {};
            updateEvent->bind(1, events->int64(0)).bind(2, teamId).bind(3, appId);
            if (teamId == ownTeam)
                updateEvent->bindNull(4);
            else
                updateEvent->bind(4, ownTeam);
            if (appId == ownApp)
                updateEvent->bindNull(5);
            else
                updateEvent->bind(5, ownApp);
            return updateEvent->run();
        });
        !rowsRead)
        return rowsRead.error();
    for (const char *table : {"usage_buckets", "cost_lines"}) {
        Result<SqliteStatement> rows = m_db.prepare(std::string("SELECT source_id, start_ms, dimensions, project, "
                                                                "api_key, team_id, app_id FROM ")
                                                    + table);
        Result<SqliteStatement> update =
            m_db.prepare(std::string("UPDATE ") + table
                         + " SET team_id = ?4, app_id = ?5 WHERE source_id = ?1 AND start_ms = ?2 AND dimensions = ?3");
        if (!rows)
            return rows.error();
        if (!update)
            return update.error();
        if (Result<void> rowsRead = rows->forEachRow([&]() -> Result<void> {
                const std::string dimensions = rows->text(2);
                const auto [team, app] = sourceIdentityOf(dimensions);
                const std::string project = rows->text(3), apiKey = rows->text(4);
                auto ids = resolvedIds({team, app, project, apiKey, nullptr});
                if (!ids)
                    return ids.error();
                const auto [teamId, appId] = ids.value();
                if (teamId == rows->int64(5) && appId == rows->int64(6))
                    return {};
                update->bind(1, rows->int64(0)).bind(2, rows->int64(1)).bind(3, dimensions);
                update->bind(4, teamId).bind(5, appId);
                return update->run();
            });
            !rowsRead)
            return rowsRead.error();
    }
    return {};
}

} // namespace rl

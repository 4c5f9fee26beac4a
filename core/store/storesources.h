#pragma once

#include "error.h"
#include "store/sourcesettings.h"
#include "store/sqlitedatabase.h"

#include <cstdint>
#include <string>
#include <vector>

namespace rl {

// Per stored source name ("<name>" and "<name> (<part>)" separately): records held and the newest time.
struct SourceTotals {
    std::string name;
    std::int64_t records = 0;
    std::int64_t newestMs = 0;
};

// A store's configured sources and the bookkeeping of their stored parts: settings (no secrets), rename,
// cursor reset, totals. Works on the store writer's connection; UsageStore forwards to it.
class StoreSources {
public:
    explicit StoreSources(SqliteDatabase &database) : m_db(database) {}

    Result<std::vector<SourceSettings>> settings();
    // Also sets whether the source's usage rows count in spend.
    Result<bool> save(const SourceSettings &settings);
    Result<bool> remove(const std::string &name);
    Result<std::vector<SourceTotals>> totals();
    // Renames the settings and every stored part, keeping rows and cursors; refused if `to` is taken.
    Result<bool> rename(const std::string &from, const std::string &to);
    // Forgets the cursors of "<name>" and "<name> (<part>)".
    Result<bool> resetCursors(const std::string &name);

private:
    SqliteDatabase &m_db;
};

} // namespace rl

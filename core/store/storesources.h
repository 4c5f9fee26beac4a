#pragma once

#include "clock.h"
#include "error.h"
#include "store/sourcesettings.h"
#include "store/sqlitedatabase.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace rl {

// Per stored source name ("<name>" and "<name> (<part>)" separately): records held and the newest time.
struct SourceTotals {
    std::string name;
    std::int64_t records = 0;
    std::int64_t newestMs = 0;
};

// A store's configured sources and the bookkeeping of their stored parts: settings (no secrets), rename,
// cursor reset, totals. Works on the store writer's connection; UsageStore forwards to it. `clock` dates a
// new source's settings (empty: the system clock).
class StoreSources {
public:
    explicit StoreSources(SqliteDatabase &database, Clock clock = {}) : m_db(database), m_clock(std::move(clock)) {}

    Result<std::vector<SourceSettings>> settings();
    // Also sets whether the source's usage rows count in spend.
    Result<void> save(const SourceSettings &settings);
    Result<void> remove(const std::string &name);
    Result<std::vector<SourceTotals>> totals();
    // Renames the settings and every stored part, keeping rows and cursors; refused if `to` is taken.
    Result<void> rename(const std::string &from, const std::string &to);
    // Forgets the cursors of "<name>" and "<name> (<part>)".
    Result<void> resetCursors(const std::string &name);

private:
    SqliteDatabase &m_db;
    Clock m_clock;
};

} // namespace rl

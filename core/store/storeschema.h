#pragma once

#include "error.h"
#include "store/sqlitedatabase.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace rl {

// The store's versioned schema. Version N is reached by running migrations 1..N in order, all in one
// transaction; PRAGMA user_version records the version. A store written by a newer RouteLedger is refused,
// and an older one is copied next to itself before it is migrated.
class StoreSchema {
public:
    static int latestVersion();
    static const std::vector<std::string_view> &migrations(); // [i] takes version i to i + 1

    // PRAGMA application_id of every store (ASCII "RLdg"), set by migrate(): another program's SQLite file
    // is never taken for a store.
    static constexpr std::int64_t kApplicationId = 0x524C6467;

    static Result<int> version(SqliteDatabase &database);
    // Whether `database` is a RouteLedger store (or empty, so that it can become one): `store.not_ours`
    // for another program's SQLite file, which is then left exactly as it was.
    static Result<void> recognise(SqliteDatabase &database);
    // For read-only connections, which cannot migrate: `store.version` unless the file is at the latest version.
    static Result<void> requireLatest(SqliteDatabase &database);
    // Brings the store to `target` (default: latest). Returns the path of the backup it made, if any.
    static Result<std::string> migrate(SqliteDatabase &database, int target = -1);
};

} // namespace rl

#pragma once

#include "error.h"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

struct sqlite3;
struct sqlite3_stmt;

namespace rl {

class SqliteDatabase;

// A prepared statement: bind by 1-based index, step, read columns by 0-based index. Finalized on
// destruction; reset() makes it reusable for the next row of a batch.
class SqliteStatement {
public:
    SqliteStatement() = default;
    SqliteStatement(SqliteStatement &&other) noexcept;
    SqliteStatement &operator=(SqliteStatement &&other) noexcept;
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;
    ~SqliteStatement();

    SqliteStatement &bind(int index, std::int64_t value);
    SqliteStatement &bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    SqliteStatement &bind(int index, double value);
    SqliteStatement &bind(int index, std::string_view value);
    // Binds without copying: `value` must stay alive until the statement is stepped and reset.
    SqliteStatement &bindStatic(int index, std::string_view value);
    SqliteStatement &bindNull(int index);
    SqliteStatement &bind(int index, const std::optional<std::int64_t> &value)
    {
        return value ? bind(index, *value) : bindNull(index);
    }

    // true: a row is ready; false: done. Errors come back as an Error.
    Result<bool> step();
    Result<void> run(); // one step for a statement that returns no rows, then reset
    void reset();

    // Calls `onRow()` for every row. A step error ends the loop and is returned, never taken for the last
    // row (a busy or damaged file must not read as fewer rows). `onRow` may return Result<void> to stop
    // with its own error.
    template <typename OnRow>
    Result<void> forEachRow(OnRow &&onRow)
    {
        for (;;) {
            Result<bool> row = step();
            if (!row)
                return row.error();
            if (!row.value())
                return {};
            if constexpr (std::is_same_v<std::invoke_result_t<OnRow &>, Result<void>>) {
                if (Result<void> handled = onRow(); !handled)
                    return handled.error();
            } else {
                onRow();
            }
        }
    }

    std::int64_t int64(int column) const;
    double real(int column) const;
    std::string text(int column) const;
    // The column's text without a copy: valid until the next step or reset.
    std::string_view textView(int column) const;
    bool isNull(int column) const;

private:
    friend class SqliteDatabase;
    explicit SqliteStatement(sqlite3_stmt *statement) : m_statement(statement) {}

    sqlite3_stmt *m_statement = nullptr; // knows its connection: statements survive moves of SqliteDatabase
};

// One connection to one SQLite file through the C API. Errors are mapped to messages that say what is
// wrong with the file and what to do (corrupt, not a database, locked, read-only, disk full).
class SqliteDatabase {
public:
    enum class Mode { ReadWrite, ReadOnly };

    static Result<SqliteDatabase> open(const std::string &path, Mode mode = Mode::ReadWrite);

    SqliteDatabase() = default;
    SqliteDatabase(SqliteDatabase &&other) noexcept;
    SqliteDatabase &operator=(SqliteDatabase &&other) noexcept;
    SqliteDatabase(const SqliteDatabase &) = delete;
    SqliteDatabase &operator=(const SqliteDatabase &) = delete;
    ~SqliteDatabase();

    Result<void> execute(std::string_view sql);
    Result<SqliteStatement> prepare(std::string_view sql);
    // Prepares each statement into its target (statements a writer keeps for the life of its connection).
    Result<void> prepareAll(std::initializer_list<std::pair<SqliteStatement *, std::string_view>> statements);
    std::int64_t lastInsertId() const;
    int changes() const;
    const std::string &path() const { return m_path; }
    sqlite3 *handle() const { return m_db; }

    // An Error for a failure on `db` with result code `code`, `what` saying what was being done.
    static Error describe(sqlite3 *db, int code, std::string_view what);
    Error errorFor(int code, std::string_view what) const { return describe(m_db, code, what); }

private:
    sqlite3 *m_db = nullptr;
    std::string m_path;
};

// Commits on commit(); rolls back when destroyed without it, so an error path never half-applies. Begun inside
// another transaction it is a savepoint: commit() releases it into the outer one, which still decides.
class SqliteTransaction {
public:
    explicit SqliteTransaction(SqliteDatabase &database) : m_database(database) {}
    ~SqliteTransaction();
    SqliteTransaction(const SqliteTransaction &) = delete;
    SqliteTransaction &operator=(const SqliteTransaction &) = delete;

    Result<void> begin();
    Result<void> commit();

private:
    SqliteDatabase &m_database;
    bool m_open = false;
    bool m_nested = false;
};

} // namespace rl

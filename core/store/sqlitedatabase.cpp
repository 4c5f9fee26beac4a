#include "store/sqlitedatabase.h"

#include <sqlite3.h>

#include <utility>

namespace rl {

SqliteStatement::SqliteStatement(SqliteStatement &&other) noexcept
    : m_statement(std::exchange(other.m_statement, nullptr))
{}

SqliteStatement &SqliteStatement::operator=(SqliteStatement &&other) noexcept
{
    if (this != &other) {
        sqlite3_finalize(m_statement);
        m_statement = std::exchange(other.m_statement, nullptr);
    }
    return *this;
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_statement);
}

SqliteStatement &SqliteStatement::bind(int index, std::int64_t value)
{
    sqlite3_bind_int64(m_statement, index, value);
    return *this;
}

SqliteStatement &SqliteStatement::bind(int index, double value)
{
    sqlite3_bind_double(m_statement, index, value);
    return *this;
}

SqliteStatement &SqliteStatement::bind(int index, std::string_view value)
{
    sqlite3_bind_text(m_statement, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
}

SqliteStatement &SqliteStatement::bindStatic(int index, std::string_view value)
{
    sqlite3_bind_text(m_statement, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    return *this;
}

SqliteStatement &SqliteStatement::bindNull(int index)
{
    sqlite3_bind_null(m_statement, index);
    return *this;
}

Result<bool> SqliteStatement::step()
{
    const int rc = sqlite3_step(m_statement);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    return SqliteDatabase::describe(sqlite3_db_handle(m_statement), rc, "running a query");
}

Result<void> SqliteStatement::run()
{
    Result<bool> stepped = step();
    reset();
    if (!stepped)
        return stepped.error();
    return {};
}

void SqliteStatement::reset()
{
    // Bindings are kept: every caller binds each parameter before the next step.
    sqlite3_reset(m_statement);
}

std::int64_t SqliteStatement::int64(int column) const
{
    return sqlite3_column_int64(m_statement, column);
}
double SqliteStatement::real(int column) const
{
    return sqlite3_column_double(m_statement, column);
}
bool SqliteStatement::isNull(int column) const
{
    return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
}

std::string SqliteStatement::text(int column) const
{
    const auto *text = sqlite3_column_text(m_statement, column);
    return text ? std::string(reinterpret_cast<const char *>(text),
                              static_cast<std::size_t>(sqlite3_column_bytes(m_statement, column)))
                : std::string();
}

std::string_view SqliteStatement::textView(int column) const
{
    const auto *text = sqlite3_column_text(m_statement, column);
    return text ? std::string_view(reinterpret_cast<const char *>(text),
                                   static_cast<std::size_t>(sqlite3_column_bytes(m_statement, column)))
                : std::string_view();
}

Result<SqliteDatabase> SqliteDatabase::open(const std::string &path, Mode mode)
{
    // Memory statistics take a global mutex on every allocation; RouteLedger never reads them.
    static const bool configured = [] {
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        return sqlite3_initialize() == SQLITE_OK;
    }();
    (void)configured;
    SqliteDatabase database;
    database.m_path = path;
    const int flags = (mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
                      | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &database.m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        Error error = database.errorFor(rc, "opening the store");
        error.message = path + error.message.substr(error.message.find(':'));
        return error;
    }
    sqlite3_extended_result_codes(database.m_db, 1);
    sqlite3_busy_timeout(database.m_db, 2000);
    // SQLite opens a file it may not write read-only without a word; the first write would fail much later.
    if (mode == Mode::ReadWrite && sqlite3_db_readonly(database.m_db, "main") == 1)
        return database.errorFor(SQLITE_READONLY, "opening the store");
    return database;
}

SqliteDatabase::SqliteDatabase(SqliteDatabase &&other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_path(std::move(other.m_path))
{}

SqliteDatabase &SqliteDatabase::operator=(SqliteDatabase &&other) noexcept
{
    if (this != &other) {
        sqlite3_close_v2(m_db);
        m_db = std::exchange(other.m_db, nullptr);
        m_path = std::move(other.m_path);
    }
    return *this;
}

SqliteDatabase::~SqliteDatabase()
{
    sqlite3_close_v2(m_db);
}

Result<void> SqliteDatabase::execute(std::string_view sql)
{
    char *message = nullptr;
    const int rc = sqlite3_exec(m_db, std::string(sql).c_str(), nullptr, nullptr, &message);
    sqlite3_free(message);
    if (rc != SQLITE_OK)
        return errorFor(rc, "changing the store");
    return {};
}

Result<SqliteStatement> SqliteDatabase::prepare(std::string_view sql)
{
    sqlite3_stmt *statement = nullptr;
    const int rc = sqlite3_prepare_v3(m_db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &statement, nullptr);
    if (rc != SQLITE_OK)
        return errorFor(rc, "preparing a query");
    return SqliteStatement(statement);
}

Result<void>
SqliteDatabase::prepareAll(std::initializer_list<std::pair<SqliteStatement *, std::string_view>> statements)
{
    for (const auto &[target, sql] : statements) {
        Result<SqliteStatement> statement = prepare(sql);
        if (!statement)
            return statement.error();
        *target = std::move(statement).value();
    }
    return {};
}

std::int64_t SqliteDatabase::lastInsertId() const
{
    return sqlite3_last_insert_rowid(m_db);
}
int SqliteDatabase::changes() const
{
    return sqlite3_changes(m_db);
}

Error SqliteDatabase::describe(sqlite3 *db, int code, std::string_view what)
{
    const std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
    const char *file = db ? sqlite3_db_filename(db, "main") : nullptr;
    const std::string where = std::string(file ? file : "") + ": ";
    switch (code & 0xff) {
    case SQLITE_CORRUPT:
        return {"store.corrupt",
                where + "the store is damaged (" + detail
                    + "); restore the backup next to it or open "
                      "another store",
                false};
    case SQLITE_NOTADB:
        return {"store.not_a_database",
                where
                    + "this file is not a RouteLedger store (not an SQLite database); open "
                      "another file",
                false};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return {"store.locked", where + "another program holds a lock on the store; close it and try again", true};
    case SQLITE_READONLY:
        return {"store.read_only", where + "the store is read-only; check the file's permissions or open a copy",
                false};
    case SQLITE_FULL:
        return {"store.disk_full",
                where + "the disk is full while " + std::string(what)
                    + "; nothing was written; free space and try again",
                true};
    case SQLITE_CANTOPEN:
        return {"store.cannot_open",
                where + "cannot open the store (" + detail + "); check that the folder exists and is writable", false};
    case SQLITE_IOERR:
        return {"store.io_error", where + "the disk reported an error while " + std::string(what) + " (" + detail + ")",
                true};
    default: return {"store.error", where + std::string(what) + " failed: " + detail, false};
    }
}

SqliteTransaction::~SqliteTransaction()
{
    if (m_open && m_nested) {
        m_database.execute("ROLLBACK TO rl_nested");
        m_database.execute("RELEASE rl_nested");
    } else if (m_open) {
        m_database.execute("ROLLBACK");
    }
}

Result<void> SqliteTransaction::begin()
{
    // Inside a transaction already (a change the store audits in the same transaction): a savepoint.
    m_nested = m_database.handle() && sqlite3_get_autocommit(m_database.handle()) == 0;
    Result<void> begun = m_database.execute(m_nested ? "SAVEPOINT rl_nested" : "BEGIN IMMEDIATE");
    m_open = begun.ok();
    return begun;
}

Result<void> SqliteTransaction::commit()
{
    Result<void> committed = m_database.execute(m_nested ? "RELEASE rl_nested" : "COMMIT");
    if (committed)
        m_open = false;
    return committed;
}

} // namespace rl

#pragma once
// A thin RAII layer over the SQLite C API: one connection with its cache of prepared
// statements, and a query object that binds, steps and always resets its statement.

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace writeen::store::sqlite {

/// A constraint of the schema broken by the caller's data. code() is SQLite's extended result
/// code (SQLITE_CONSTRAINT_UNIQUE...), so a caller can tell which kind of constraint it was.
class constraint_violation : public std::invalid_argument {
  public:
    constraint_violation(int code, const std::string& text) : std::invalid_argument(text), code_(code) {}
    int code() const { return code_; }

  private:
    int code_;
};

/// Throws the exception that fits an SQLite failure: constraint_violation (a
/// std::invalid_argument) for a constraint the caller's data broke, store::unavailable for
/// everything else (disk full, I/O, busy...). `what` names the operation; the text is for logs,
/// callers never show it to clients.
[[noreturn]] void throw_sqlite_error(int code, std::string_view detail, std::string_view what);

class connection;

/// One execution of a prepared statement: bind parameters (1-based), step through rows,
/// read columns (0-based). Resets the statement when destroyed, so an abandoned iteration
/// never keeps a read snapshot or a write open.
class query {
  public:
    query(query&& other) noexcept;
    query& operator=(query&&) = delete;
    query(const query&) = delete;
    query& operator=(const query&) = delete;
    ~query();

    query& bind(int index, std::int64_t value);
    /// The text is not copied: it must stay alive until the query is done.
    query& bind(int index, std::string_view text);
    /// A temporary string would dangle before the step that reads it.
    query& bind(int index, std::string&& text) = delete;
    /// NULL when empty.
    query& bind(int index, const std::optional<std::int64_t>& value);
    query& bind_null(int index);

    /// Advances to the next row: true when a row is ready, false when the statement is done.
    bool step();
    /// Steps to the end, for statements that return no rows (or whose rows do not matter).
    void run();

    std::int64_t int_at(int column) const;
    bool bool_at(int column) const { return int_at(column) != 0; }
    std::string text_at(int column) const;
    std::string_view text_view_at(int column) const;  // valid until the next step
    std::optional<std::int64_t> optional_int_at(int column) const;

  private:
    friend class connection;
    query(sqlite3_stmt* stmt, sqlite3* db, bool* busy, bool owned);

    sqlite3_stmt* stmt_;
    sqlite3* db_;
    bool* busy_;  // the cache entry's in-use flag, cleared on destruction (null when owned)
    bool owned_;  // a one-off statement, finalized on destruction
};

/// One SQLite connection and its prepared statements. Used by one thread at a time.
class connection {
  public:
    /// Opens (read_only: without creating) the database file. Throws unavailable on failure.
    connection(const std::string& path, bool read_only);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    /// Runs one or more statements without results (pragmas, migrations, BEGIN/COMMIT).
    void exec(const char* sql, std::string_view what);
    /// A query on the cached statement for sql. sql must have static storage (a named
    /// constant): its address is the cache key. A statement already in use by an outer query
    /// is not shared: a one-off copy is prepared instead.
    query prepare(const char* sql);

    /// True while a transaction is open (SQLite rolls back by itself after some failures).
    bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
    /// Rows changed by the latest INSERT, UPDATE or DELETE on this connection.
    std::int64_t changes() const { return sqlite3_changes64(db_); }
    sqlite3* handle() const { return db_; }

  private:
    struct cached_statement {
        sqlite3_stmt* stmt = nullptr;
        bool busy = false;
    };

    sqlite3* db_ = nullptr;
    // Node-based map: entries never move, so a query may hold a pointer to its busy flag.
    std::unordered_map<const char*, cached_statement> cache_;
};

}  // namespace writeen::store::sqlite

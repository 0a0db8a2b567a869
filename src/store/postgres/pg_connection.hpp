#pragma once
// A thin RAII layer over libpq: one connection with its prepared statements, parameters sent as
// text, and results read by row and column. Failures become the store's exceptions, so the
// engine's queries never look at libpq status codes themselves.

#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

struct pg_conn;
struct pg_result;

namespace writeen::store::postgres {

/// A constraint of the schema broken by the caller's data (SQLSTATE class 23). sqlstate() is
/// the five-character code ("23505" unique, "23503" foreign key, "23514" check...) and
/// constraint() the constraint's name, so a caller can tell which one it was.
class constraint_violation : public std::invalid_argument {
  public:
    constraint_violation(std::string sqlstate, std::string constraint, const std::string& text)
        : std::invalid_argument(text), sqlstate_(std::move(sqlstate)), constraint_(std::move(constraint)) {}
    const std::string& sqlstate() const { return sqlstate_; }
    const std::string& constraint() const { return constraint_; }
    bool unique() const { return sqlstate_ == "23505"; }

  private:
    std::string sqlstate_;
    std::string constraint_;
};

/// A deadlock (40P01) or serialization failure (40001) with another node's transaction: the
/// whole transaction is lost, and running it again is expected to succeed. The writer catches
/// it and re-runs the batch; nothing else should see it.
class transaction_conflict : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Throws the exception that fits a failed result: constraint_violation for class 23,
/// transaction_conflict for 40P01/40001, std::invalid_argument for data the caller got wrong
/// (class 22, e.g. an invalid number), store::unavailable for everything else (connection lost,
/// server shutting down, disk full...). `what` names the operation; the text is for logs.
[[noreturn]] void throw_pg_error(const pg_result* result, const pg_conn* conn, std::string_view what);

/// The parameters of one statement ($1, $2, ... in the order added), sent in text format.
/// Values are copied, so temporaries are fine.
class params {
  public:
    params() = default;
    params& add(std::int64_t value);
    params& add(int value) { return add(static_cast<std::int64_t>(value)); }
    params& add(bool value);  // 't' / 'f': for boolean columns
    params& add(std::string_view text);
    params& add(const std::string& text) { return add(std::string_view{text}); }
    params& add(const char* text) { return add(std::string_view{text}); }
    /// NULL when empty.
    params& add(const std::optional<std::int64_t>& value);
    params& add_null();

    int size() const { return static_cast<int>(values_.size()); }
    /// Pointers for PQexecPrepared, valid while this object is neither changed nor destroyed.
    const char* const* values() const;

  private:
    std::vector<std::string> values_;
    std::vector<bool> null_;
    mutable std::vector<const char*> pointers_;
};

/// The rows of one statement. Rows and columns are 0-based. Owns its PGresult.
class result {
  public:
    result() = default;
    explicit result(pg_result* res) : res_(res) {}
    result(result&& other) noexcept : res_(other.res_) { other.res_ = nullptr; }
    result& operator=(result&& other) noexcept;
    result(const result&) = delete;
    result& operator=(const result&) = delete;
    ~result();

    int rows() const;
    bool empty() const { return rows() == 0; }
    /// Rows changed by an INSERT, UPDATE or DELETE (without RETURNING: rows() is 0).
    std::int64_t affected() const;

    bool is_null(int row, int column) const;
    std::int64_t int_at(int row, int column) const;  // NULL reads as 0
    /// boolean ('t'/'f') or integer (non-zero) columns alike.
    bool bool_at(int row, int column) const;
    std::string text_at(int row, int column) const;            // NULL reads as ""
    std::string_view text_view_at(int row, int column) const;  // valid while this result lives
    std::optional<std::int64_t> optional_int_at(int row, int column) const;
    /// The PGresult, for error reports (may be null).
    const pg_result* res_for_error() const { return res_; }

  private:
    pg_result* res_ = nullptr;
};

/// One libpq connection and its prepared statements. Used by one thread at a time.
class connection {
  public:
    /// Connects to url (a libpq URL or key=value string). Throws unavailable on failure.
    explicit connection(std::string url);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    /// Runs one or more statements without parameters (SET, BEGIN/COMMIT, migrations) with the
    /// simple protocol. Throws like throw_pg_error.
    void exec(const char* sql, std::string_view what);
    /// Runs sql with params and returns its rows. sql must have static storage (a named
    /// constant): its address is the key of the statement prepared on this connection the first
    /// time it is run (PQprepare once per connection, then PQexecPrepared: one round trip).
    /// A deferred statement goes with it, in the same round trip.
    result query(const char* sql, const params& p = {});
    /// Queues sql (no parameters, static storage: BEGIN) to reach the server with the next
    /// statement instead of costing a round trip of its own: query() sends both in one libpq
    /// pipeline; exec() and query_dynamic() run it first. That next call throws its failure. A
    /// reconnect forgets it.
    void defer(const char* sql);
    /// Forgets a deferred statement not sent yet; true if there was one (a transaction whose
    /// BEGIN never left has nothing to roll back).
    bool discard_deferred() { return std::exchange(deferred_, nullptr) != nullptr; }
    /// True (until the reconnect) when the call that carried a deferred statement found the
    /// connection lost: a transaction begun by defer() then ran at most that one statement and
    /// was never committed, so running it again from the start is safe.
    bool lost_at_deferred() const { return lost_with_deferred_; }
    /// The same, for a statement built at run time (rare: dynamic IN lists); not prepared.
    result query_dynamic(const std::string& sql, const params& p = {});

    /// True while the connection is usable. After a failure libpq reports the connection bad;
    /// reconnect() then opens a new one (prepared statements are prepared again on first use).
    bool ok() const;
    /// Throws unavailable when the server still cannot be reached.
    void reconnect();
    /// True when a transaction block is open (also when it is failed and waits for ROLLBACK, and
    /// when its BEGIN is deferred).
    bool in_transaction() const;
    /// True when the open transaction is aborted by a failed statement (until ROLLBACK [TO]).
    bool transaction_failed() const;
    pg_conn* handle() const { return conn_; }
    /// What the latest failed statement threw (null after reconnect). PostgreSQL aborts the
    /// whole transaction on a failed statement, so a caller that caught that exception and went
    /// on has to be told what broke it.
    std::exception_ptr last_error() const { return last_error_; }

  private:
    void open();
    /// Runs the deferred statement now, alone (exec, query_dynamic). Throws like exec.
    void run_deferred();
    /// query() with the deferred statement ahead of it, in one pipeline.
    result query_after_deferred(const char* sql, const params& p);
    /// Forgets a connection whose pipeline went wrong (its state is unknown): ok() is false
    /// until reconnect().
    void drop();
    /// Records the failure in last_error_ and throws it.
    [[noreturn]] void fail(const pg_result* result, std::string_view what);

    std::string url_;
    pg_conn* conn_ = nullptr;
    std::unordered_map<const char*, std::string> prepared_;  // sql address -> statement name
    std::exception_ptr last_error_;
    const char* deferred_ = nullptr;  // defer(): goes with the next statement
    bool lost_with_deferred_ = false;
};

}  // namespace writeen::store::postgres

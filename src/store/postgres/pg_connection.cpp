#include "store/postgres/pg_connection.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "store/store.hpp"

namespace writeen::store::postgres {
namespace {

std::string_view field(const PGresult* r, int code) {
    const char* v = r ? PQresultErrorField(r, code) : nullptr;
    return v ? std::string_view{v} : std::string_view{};
}

std::string trimmed(const char* text) {
    std::string s = text ? text : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// A result is good when the statement ran: rows, a command, or an empty query.
bool succeeded(const PGresult* r) {
    if (!r) return false;
    const auto status = PQresultStatus(r);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
}

}  // namespace

[[noreturn]] void throw_pg_error(const pg_result* result, const pg_conn* conn, std::string_view what) {
    const std::string_view state = field(result, PG_DIAG_SQLSTATE);
    std::string text = "postgres: " + std::string{what} + ": ";
    text += result ? trimmed(PQresultErrorMessage(result)) : trimmed(PQerrorMessage(conn));
    if (state.size() == 5) {
        if (state.starts_with("23"))
            throw constraint_violation(std::string{state}, std::string{field(result, PG_DIAG_CONSTRAINT_NAME)},
                                       text);
        if (state == "40P01" || state == "40001") throw transaction_conflict(text);
        // Data exceptions (bad number, string too long...): the caller's input, not the storage.
        if (state.starts_with("22")) throw std::invalid_argument(text);
    }
    // Everything else, and no result at all (the connection broke), is the storage's fault.
    throw unavailable(text);
}

params& params::add(std::int64_t value) {
    char buf[24];
    const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    values_.emplace_back(buf, end);
    null_.push_back(false);
    return *this;
}

params& params::add(bool value) {
    values_.emplace_back(value ? "t" : "f");
    null_.push_back(false);
    return *this;
}

params& params::add(std::string_view text) {
    values_.emplace_back(text);
    null_.push_back(false);
    return *this;
}

params& params::add(const std::optional<std::int64_t>& value) {
    if (value) return add(*value);
    return add_null();
}

params& params::add_null() {
    values_.emplace_back();
    null_.push_back(true);
    return *this;
}

const char* const* params::values() const {
    pointers_.resize(values_.size());
    for (std::size_t i = 0; i < values_.size(); ++i) pointers_[i] = null_[i] ? nullptr : values_[i].c_str();
    return pointers_.data();
}

result& result::operator=(result&& other) noexcept {
    if (this != &other) {
        if (res_) PQclear(res_);
        res_ = other.res_;
        other.res_ = nullptr;
    }
    return *this;
}

result::~result() {
    if (res_) PQclear(res_);
}

int result::rows() const { return res_ ? PQntuples(res_) : 0; }

std::int64_t result::affected() const {
    const char* n = res_ ? PQcmdTuples(res_) : nullptr;
    if (!n || !*n) return 0;
    std::int64_t v = 0;
    std::from_chars(n, n + std::strlen(n), v);
    return v;
}

bool result::is_null(int row, int column) const { return PQgetisnull(res_, row, column) != 0; }

std::int64_t result::int_at(int row, int column) const {
    if (is_null(row, column)) return 0;
    const char* v = PQgetvalue(res_, row, column);
    const int len = PQgetlength(res_, row, column);
    std::int64_t out = 0;
    const auto [ptr, ec] = std::from_chars(v, v + len, out);
    if (ec != std::errc{} || ptr != v + len) {
        // A boolean read as a number (flags are boolean columns).
        if (len == 1 && (v[0] == 't' || v[0] == 'f')) return v[0] == 't' ? 1 : 0;
        throw unavailable(std::string{"postgres: column "} + std::to_string(column) + " is not an integer: " +
                          std::string{v, static_cast<std::size_t>(len)});
    }
    return out;
}

bool result::bool_at(int row, int column) const {
    if (is_null(row, column)) return false;
    const char* v = PQgetvalue(res_, row, column);
    if (v[0] == 't') return true;
    if (v[0] == 'f') return false;
    return int_at(row, column) != 0;
}

std::string result::text_at(int row, int column) const { return std::string{text_view_at(row, column)}; }

std::string_view result::text_view_at(int row, int column) const {
    return {PQgetvalue(res_, row, column), static_cast<std::size_t>(PQgetlength(res_, row, column))};
}

std::optional<std::int64_t> result::optional_int_at(int row, int column) const {
    if (is_null(row, column)) return std::nullopt;
    return int_at(row, column);
}

connection::connection(std::string url) : url_(std::move(url)) { open(); }

connection::~connection() {
    if (conn_) PQfinish(conn_);
}

void connection::open() {
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
    prepared_.clear();
    deferred_ = nullptr;
    lost_with_deferred_ = false;
    // A server that does not answer (not one that refuses) would otherwise block the caller for
    // as long as TCP tries; the URL's own connect_timeout, if any, wins (it comes later).
    const char* const keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* const values[] = {"5", "writeen-chat", url_.c_str(), nullptr};
    conn_ = PQconnectdbParams(keywords, values, 1);
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
        std::string why = conn_ ? trimmed(PQerrorMessage(conn_)) : "out of memory";
        if (conn_) PQfinish(conn_);
        conn_ = nullptr;
        throw unavailable("postgres: cannot connect: " + why);
    }
}

void connection::reconnect() {
    last_error_ = nullptr;
    open();
}

void connection::fail(const pg_result* result, std::string_view what) {
    try {
        throw_pg_error(result, conn_, what);
    } catch (...) {
        last_error_ = std::current_exception();
        throw;
    }
}

bool connection::ok() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

void connection::drop() {
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
    deferred_ = nullptr;
}

bool connection::in_transaction() const {
    if (!conn_) return false;
    if (deferred_) return true;
    const auto s = PQtransactionStatus(conn_);
    return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

bool connection::transaction_failed() const { return conn_ && PQtransactionStatus(conn_) == PQTRANS_INERROR; }

void connection::defer(const char* sql) { deferred_ = sql; }

void connection::run_deferred() {
    const char* sql = std::exchange(deferred_, nullptr);
    if (!sql) return;
    result r{PQexec(conn_, sql)};
    if (succeeded(r.res_for_error())) return;
    lost_with_deferred_ = !ok();
    fail(r.res_for_error(), sql);
}

void connection::exec(const char* sql, std::string_view what) {
    if (!conn_) throw unavailable("postgres: " + std::string{what} + ": not connected");
    run_deferred();
    result r{PQexec(conn_, sql)};
    if (!succeeded(r.res_for_error())) fail(r.res_for_error(), what);
}

result connection::query(const char* sql, const params& p) {
    if (!conn_) throw unavailable("postgres: not connected");
    if (deferred_) return query_after_deferred(sql, p);
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
        std::string name = "s" + std::to_string(prepared_.size());
        result prep{PQprepare(conn_, name.c_str(), sql, 0, nullptr)};
        if (!succeeded(prep.res_for_error())) fail(prep.res_for_error(), sql);
        it = prepared_.emplace(sql, std::move(name)).first;
    }
    result r{PQexecPrepared(conn_, it->second.c_str(), p.size(), p.values(), nullptr, nullptr, 0)};
    if (!succeeded(r.res_for_error())) fail(r.res_for_error(), sql);
    return r;
}

// The deferred statement, the statement's PREPARE the first time, and its execution go out
// together with one Sync: one round trip where there would be two or three. The results come
// back in order; after a failure the server skips the rest of the pipeline (PIPELINE_ABORTED),
// so the first failure is the one thrown. Every result is read and pipeline mode left before
// anything is thrown, so the connection is as query() found it: in no pipeline.
result connection::query_after_deferred(const char* sql, const params& p) {
    const char* first = std::exchange(deferred_, nullptr);
    auto it = prepared_.find(sql);
    const bool prepare = it == prepared_.end();
    const std::string name = prepare ? "s" + std::to_string(prepared_.size()) : it->second;
    const auto lost = [&](std::string_view why) -> result {
        lost_with_deferred_ = true;
        std::string text = "postgres: " + std::string{why} + ": " + trimmed(PQerrorMessage(conn_));
        drop();
        last_error_ = std::make_exception_ptr(unavailable(text));
        throw unavailable(text);
    };
    if (PQenterPipelineMode(conn_) != 1) return lost("cannot enter pipeline mode");
    const bool sent = PQsendQueryParams(conn_, first, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
                      (!prepare || PQsendPrepare(conn_, name.c_str(), sql, 0, nullptr) == 1) &&
                      PQsendQueryPrepared(conn_, name.c_str(), p.size(), p.values(), nullptr, nullptr, 0) == 1 &&
                      PQpipelineSync(conn_) == 1;
    if (!sent) return lost("cannot send");
    // One result per command (then a null that ends it), then the Sync's.
    const int commands = prepare ? 3 : 2;
    std::vector<result> results;
    results.reserve(commands);
    for (int i = 0; i < commands; ++i) {
        result r{PQgetResult(conn_)};
        if (!r.res_for_error() || !ok()) return lost(first);
        while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
        results.push_back(std::move(r));
    }
    result sync{PQgetResult(conn_)};
    if (!sync.res_for_error() || PQresultStatus(sync.res_for_error()) != PGRES_PIPELINE_SYNC ||
        PQexitPipelineMode(conn_) != 1)
        return lost("pipeline out of step");
    if (!succeeded(results[0].res_for_error())) fail(results[0].res_for_error(), first);
    if (prepare) {
        if (!succeeded(results[1].res_for_error())) fail(results[1].res_for_error(), sql);
        prepared_.emplace(sql, name);
    }
    result& r = results.back();
    if (!succeeded(r.res_for_error())) fail(r.res_for_error(), sql);
    return std::move(r);
}

result connection::query_dynamic(const std::string& sql, const params& p) {
    if (!conn_) throw unavailable("postgres: not connected");
    run_deferred();
    result r{PQexecParams(conn_, sql.c_str(), p.size(), nullptr, p.values(), nullptr, nullptr, 0)};
    if (!succeeded(r.res_for_error())) fail(r.res_for_error(), sql);
    return r;
}

}  // namespace writeen::store::postgres

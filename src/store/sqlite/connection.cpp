#include "store/sqlite/connection.hpp"
#include "store/sqlite/fts_rank.hpp"

#include <stdexcept>
#include <utility>

#include "store/store.hpp"

namespace writeen::store::sqlite {

void throw_sqlite_error(int code, std::string_view detail, std::string_view what) {
    std::string text = "sqlite: ";
    text.append(what);
    text.append(": ");
    text.append(detail.empty() ? std::string_view{sqlite3_errstr(code)} : detail);
    // A broken constraint means the caller wrote something the schema forbids (a bug or bad
    // input), not that storage is down: retrying would not help, so it is not `unavailable`.
    if ((code & 0xff) == SQLITE_CONSTRAINT) throw constraint_violation(code, text);
    throw unavailable(text);
}

namespace {

[[noreturn]] void fail(sqlite3* db, int code, std::string_view what) {
    throw_sqlite_error(code, db != nullptr ? sqlite3_errmsg(db) : "", what);
}

}  // namespace

query::query(sqlite3_stmt* stmt, sqlite3* db, bool* busy, bool owned)
    : stmt_(stmt), db_(db), busy_(busy), owned_(owned) {}

query::query(query&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      db_(other.db_),
      busy_(std::exchange(other.busy_, nullptr)),
      owned_(other.owned_) {}

query::~query() {
    if (stmt_ == nullptr) return;
    if (owned_) {
        sqlite3_finalize(stmt_);
        return;
    }
    // The error of a failed step was already reported by step(); reset repeats it.
    sqlite3_reset(stmt_);
    if (busy_ != nullptr) *busy_ = false;
}

query& query::bind(int index, std::int64_t value) {
    const int rc = sqlite3_bind_int64(stmt_, index, value);
    if (rc != SQLITE_OK) fail(db_, rc, "bind");
    return *this;
}

query& query::bind(int index, std::string_view text) {
    // SQLITE_TRANSIENT would copy; the caller's text outlives the step that uses it.
    const int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
    if (rc != SQLITE_OK) fail(db_, rc, "bind");
    return *this;
}

query& query::bind(int index, const std::optional<std::int64_t>& value) {
    if (value) return bind(index, *value);
    return bind_null(index);
}

query& query::bind_null(int index) {
    const int rc = sqlite3_bind_null(stmt_, index);
    if (rc != SQLITE_OK) fail(db_, rc, "bind");
    return *this;
}

bool query::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, rc, "step");
}

void query::run() {
    while (step()) {
    }
}

std::int64_t query::int_at(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string query::text_at(int column) const { return std::string{text_view_at(column)}; }

std::string_view query::text_view_at(int column) const {
    const auto* text = sqlite3_column_text(stmt_, column);
    if (text == nullptr) return {};
    const int size = sqlite3_column_bytes(stmt_, column);
    return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

std::optional<std::int64_t> query::optional_int_at(int column) const {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int64(stmt_, column);
}

connection::connection(const std::string& path, bool read_only) {
    // NOMUTEX: each connection is confined to one thread at a time by its owner, so SQLite's
    // own per-connection mutex would only cost time.
    const int flags =
        (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string detail = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw unavailable("sqlite: cannot open database " + path + ": " + detail);
    }
    sqlite3_extended_result_codes(db_, 1);
    try {
        register_fts_rank(db_);
    } catch (...) {
        sqlite3_close_v2(db_);
        throw;
    }
}

connection::~connection() {
    for (auto& [sql, entry] : cache_) sqlite3_finalize(entry.stmt);
    sqlite3_close_v2(db_);
}

void connection::exec(const char* sql, std::string_view what) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
    if (rc == SQLITE_OK) return;
    std::string detail = message != nullptr ? message : "";
    sqlite3_free(message);
    throw_sqlite_error(rc, detail, what);
}

query connection::prepare(const char* sql) {
    auto [it, inserted] = cache_.try_emplace(sql);
    cached_statement& entry = it->second;
    if (entry.stmt == nullptr) {
        const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &entry.stmt, nullptr);
        if (rc != SQLITE_OK) {
            cache_.erase(it);
            fail(db_, rc, "prepare");
        }
    }
    if (entry.busy) {
        sqlite3_stmt* one_off = nullptr;
        const int rc = sqlite3_prepare_v2(db_, sql, -1, &one_off, nullptr);
        if (rc != SQLITE_OK) fail(db_, rc, "prepare");
        return query{one_off, db_, nullptr, true};
    }
    entry.busy = true;
    return query{entry.stmt, db_, &entry.busy, false};
}

}  // namespace writeen::store::sqlite

// Search text a user types becomes an FTS5 MATCH expression: it must always be one SQLite
// accepts (never a syntax error a user can provoke), and highlight markers in any text strip
// to ranges inside the text.
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/utf8.hpp"
#include "store/sqlite/fts_query.hpp"

namespace sq = writeen::store::sqlite;

namespace {

/// An in-memory FTS5 table like the store's, prepared once.
struct fts_table {
    sqlite3* db = nullptr;
    sqlite3_stmt* query = nullptr;
    fts_table() {
        if (sqlite3_open(":memory:", &db) != SQLITE_OK) std::abort();
        const char* ddl =
            "CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');"
            "INSERT INTO t(body) VALUES ('revisi bab dua'), ('jadwal konsultasi besok');";
        if (sqlite3_exec(db, ddl, nullptr, nullptr, nullptr) != SQLITE_OK) std::abort();
        if (sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ?", -1, &query, nullptr) != SQLITE_OK) std::abort();
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fts_table table;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::string expression = sq::to_match_expression(text);
    if (!expression.empty()) {
        sqlite3_bind_text(table.query, 1, expression.data(), static_cast<int>(expression.size()), SQLITE_TRANSIENT);
        int rc;
        while ((rc = sqlite3_step(table.query)) == SQLITE_ROW) {
        }
        if (rc != SQLITE_DONE) std::abort();  // a user's text made an invalid MATCH expression
        sqlite3_reset(table.query);
    }
    // Snippets come from stored text, which is valid UTF-8.
    if (!writeen::auth::utf8_length(text)) return 0;
    const auto stripped = sq::strip_highlight_markers(text);
    const int length = sq::utf16_length(stripped.text);
    for (const auto& [start, count] : stripped.matches)
        if (start < 0 || count < 0 || start + count > length) std::abort();
    return 0;
}

// Full-text search in the SQLite engine: queries over messages_fts, and the indexing of new
// messages once per batch (see search_index_state in 001_init.sql).
#include "store/sqlite/connection.hpp"
#include "store/sqlite/fts_query.hpp"
#include "store/sqlite/sqlite_queries.hpp"
#include "store/sqlite/sqlite_rows.hpp"

namespace writeen::store::sqlite {
namespace {

#define WRITEEN_SEARCH_SELECT                                             \
    "SELECT " WRITEEN_MESSAGE_COLUMNS                                     \
    ", snippet(messages_fts, 0, char(1), char(2), '…', 16) "            \
    "FROM messages_fts JOIN messages m ON m.row_id = messages_fts.rowid " \
    "LEFT JOIN users u ON u.id = m.sender_id "                            \
    "WHERE messages_fts MATCH ?1 AND m.deleted_at IS NULL "

// Newest first among equally good matches, so pages are stable.
constexpr const char* sql_search_all = WRITEEN_SEARCH_SELECT
    "AND m.conversation_id IN (SELECT conversation_id FROM participants WHERE user_id = ?2) "
    "ORDER BY bm25(messages_fts), m.row_id DESC LIMIT ?4 OFFSET ?3";

constexpr const char* sql_search_one = WRITEEN_SEARCH_SELECT
    "AND m.conversation_id = ?5 "
    "AND EXISTS (SELECT 1 FROM participants WHERE conversation_id = ?5 AND user_id = ?2) "
    "ORDER BY bm25(messages_fts), m.row_id DESC LIMIT ?4 OFFSET ?3";

#undef WRITEEN_SEARCH_SELECT

// See search_index_state in 001_init.sql.
constexpr const char* sql_index_new_messages =
    "INSERT INTO messages_fts (rowid, search_text) SELECT row_id, search_text FROM messages "
    "WHERE row_id > (SELECT indexed_up_to FROM search_index_state) AND deleted_at IS NULL AND search_text <> "
    "''";
constexpr const char* sql_move_index_watermark =
    "UPDATE search_index_state SET indexed_up_to = (SELECT max(row_id) FROM messages) "
    "WHERE id = 1 AND (SELECT max(row_id) FROM messages) > indexed_up_to";

}  // namespace

std::vector<search_hit> sqlite_queries::search(const std::string& user_id,
                                               const std::optional<std::string>& conversation_id,
                                               const std::string& text, int offset, int limit) {
    std::vector<search_hit> out;
    const std::string expression = to_match_expression(text);
    if (expression.empty() || limit <= 0) return out;

    auto q = db_.prepare(conversation_id ? sql_search_one : sql_search_all);
    q.bind(1, expression).bind(2, user_id).bind(3, non_negative(offset)).bind(4, std::int64_t{limit});
    if (conversation_id) q.bind(5, *conversation_id);
    while (q.step()) {
        search_hit hit;
        hit.msg = read_message(q, 0);
        highlighted_text fragment = strip_highlight_markers(q.text_view_at(message_column_count));
        hit.fragment = std::move(fragment.text);
        hit.matches = std::move(fragment.matches);
        out.push_back(std::move(hit));
    }
    return out;
}

void sqlite_queries::index_new_messages() {
    db_.prepare(sql_index_new_messages).run();
    db_.prepare(sql_move_index_watermark).run();
}

}  // namespace writeen::store::sqlite

// Read and delivered cursors in the SQLite engine: moving them forward, and the record of every
// move (cursor_marks) that dates the receipts of messages.
#include <algorithm>
#include <string_view>

#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_queries.hpp"
#include "store/sqlite/sqlite_rows.hpp"

namespace writeen::store::sqlite {
namespace {

constexpr const char* sql_cursors_of =
    "SELECT p.read_up_to_seq, p.delivered_up_to_seq, k.last_seq FROM participants p "
    "JOIN conversation_counters k ON k.conversation_id = p.conversation_id "
    "WHERE p.conversation_id = ?1 AND p.user_id = ?2";

constexpr const char* sql_set_read_cursor =
    "UPDATE participants SET read_up_to_seq = ?3, delivered_up_to_seq = max(delivered_up_to_seq, ?3) "
    "WHERE conversation_id = ?1 AND user_id = ?2";

constexpr const char* sql_set_delivered_cursor =
    "UPDATE participants SET delivered_up_to_seq = ?3 WHERE conversation_id = ?1 AND user_id = ?2";

constexpr const char* sql_insert_cursor_mark =
    "INSERT INTO cursor_marks (conversation_id, kind, user_id, up_to_seq, at) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (conversation_id, kind, user_id, up_to_seq) DO NOTHING";

constexpr const char* sql_cursor_marks =
    "SELECT user_id, up_to_seq, at FROM cursor_marks WHERE conversation_id = ?1 AND kind = ?2 "
    "ORDER BY user_id, up_to_seq";

}  // namespace

// ---------------------------------------------------------------- reader

std::vector<cursor_mark> sqlite_queries::cursor_marks(const std::string& conversation_id, bool read) {
    std::vector<cursor_mark> out;
    auto q = db_.prepare(sql_cursor_marks);
    q.bind(1, conversation_id).bind(2, std::string_view{read ? read_kind : delivered_kind});
    while (q.step()) out.push_back(cursor_mark{q.text_at(0), q.int_at(1), q.int_at(2)});
    return out;
}

// ---------------------------------------------------------------- transaction

void sqlite_queries::record_cursor_mark(const std::string& conversation_id, const char* kind,
                                        const std::string& user_id, std::int64_t up_to_seq, unix_ms at) {
    db_.prepare(sql_insert_cursor_mark)
        .bind(1, conversation_id)
        .bind(2, std::string_view{kind})
        .bind(3, user_id)
        .bind(4, up_to_seq)
        .bind(5, at)
        .run();
}

bool sqlite_queries::advance_read_cursor(const std::string& conversation_id, const std::string& user_id,
                                         std::int64_t up_to_seq, unix_ms at) {
    std::int64_t read = 0;
    std::int64_t delivered = 0;
    std::int64_t last_seq = 0;
    {
        auto q = db_.prepare(sql_cursors_of);
        q.bind(1, conversation_id).bind(2, user_id);
        if (!q.step()) return false;
        read = q.int_at(0);
        delivered = q.int_at(1);
        last_seq = q.int_at(2);
    }
    // A cursor past the newest message would count messages not sent yet as read.
    const std::int64_t target = std::min(up_to_seq, last_seq);
    if (target <= read) return false;
    db_.prepare(sql_set_read_cursor).bind(1, conversation_id).bind(2, user_id).bind(3, target).run();
    record_cursor_mark(conversation_id, read_kind, user_id, target, at);
    if (target > delivered) record_cursor_mark(conversation_id, delivered_kind, user_id, target, at);
    return true;
}

bool sqlite_queries::advance_delivered_cursor(const std::string& conversation_id, const std::string& user_id,
                                              std::int64_t up_to_seq, unix_ms at) {
    std::int64_t delivered = 0;
    std::int64_t last_seq = 0;
    {
        auto q = db_.prepare(sql_cursors_of);
        q.bind(1, conversation_id).bind(2, user_id);
        if (!q.step()) return false;
        delivered = q.int_at(1);
        last_seq = q.int_at(2);
    }
    const std::int64_t target = std::min(up_to_seq, last_seq);
    if (target <= delivered) return false;
    db_.prepare(sql_set_delivered_cursor).bind(1, conversation_id).bind(2, user_id).bind(3, target).run();
    record_cursor_mark(conversation_id, delivered_kind, user_id, target, at);
    return true;
}

}  // namespace writeen::store::sqlite

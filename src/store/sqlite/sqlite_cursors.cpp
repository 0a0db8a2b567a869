// Read and delivered cursors in the SQLite engine: moving them forward, and the record of every
// move (cursor_marks) that dates the receipts of messages.
#include <algorithm>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <vector>

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

// The marks of every user with lo <= up_to_seq <= hi. Plan (SQLite 3.40):
//   SEARCH cursor_marks USING INDEX cursor_marks_by_seq (conversation_id=? AND kind=? AND
//   up_to_seq>? AND up_to_seq<?)
constexpr const char* sql_cursor_marks_between =
    "SELECT user_id, up_to_seq, at FROM cursor_marks WHERE conversation_id = ?1 AND kind = ?2 "
    "AND up_to_seq >= ?3 AND up_to_seq <= ?4";

// Each participant's first mark with up_to_seq > ?3: one probe of the primary key per
// participant. CROSS JOIN keeps participants outside: otherwise the planner may walk every mark
// of the conversation and look each one's participant up. Plan (SQLite 3.40):
//   SEARCH p USING PRIMARY KEY (conversation_id=?)
//   SEARCH m USING PRIMARY KEY (conversation_id=? AND kind=? AND user_id=? AND up_to_seq=?)
//   CORRELATED SCALAR SUBQUERY 1
//     SEARCH x USING PRIMARY KEY (conversation_id=? AND kind=? AND user_id=? AND up_to_seq>?)
constexpr const char* sql_first_marks_above =
    "SELECT m.user_id, m.up_to_seq, m.at FROM participants p CROSS JOIN cursor_marks m "
    "ON m.conversation_id = p.conversation_id AND m.kind = ?2 AND m.user_id = p.user_id "
    "AND m.up_to_seq = (SELECT x.up_to_seq FROM cursor_marks x WHERE x.conversation_id = p.conversation_id "
    "  AND x.kind = ?2 AND x.user_id = p.user_id AND x.up_to_seq > ?3 ORDER BY x.up_to_seq LIMIT 1) "
    "WHERE p.conversation_id = ?1";

// Seqs this close together (a page of history) are served by one range of marks; further apart
// (search hits), the range could hold most of the history, so each seq gets its own probes.
bool dense(std::int64_t lo, std::int64_t hi, std::size_t count) {
    return hi - lo + 1 <= 4 * static_cast<std::int64_t>(count) + 64;
}

}  // namespace

// ---------------------------------------------------------------- reader

std::vector<cursor_mark> sqlite_queries::cursor_marks(const std::string& conversation_id, bool read) {
    std::vector<cursor_mark> out;
    auto q = db_.prepare(sql_cursor_marks);
    q.bind(1, conversation_id).bind(2, std::string_view{read ? read_kind : delivered_kind});
    while (q.step()) out.push_back(cursor_mark{q.text_at(0), q.int_at(1), q.int_at(2)});
    return out;
}

// For a message s, the first mark at or above s is either inside [lo, hi] (then the range has
// it) or the user's first mark above hi. Marks are unique per (user, up_to_seq), so the range
// holds at most participants x (hi - lo + 1) of them, bounded by the seqs, not the history.
std::vector<cursor_mark> sqlite_queries::cursor_marks_for(const std::string& conversation_id, bool read,
                                                          const std::vector<std::int64_t>& seqs) {
    std::vector<cursor_mark> out;
    if (seqs.empty()) return out;
    const std::string_view kind{read ? read_kind : delivered_kind};
    auto collect = [&](query& q) {
        while (q.step()) out.push_back(cursor_mark{q.text_at(0), q.int_at(1), q.int_at(2)});
    };
    // Sorted by contract; min and max cost nothing and keep an unsorted list correct too.
    const auto [lo, hi] = std::minmax_element(seqs.begin(), seqs.end());
    if (dense(*lo, *hi, seqs.size())) {
        {
            auto q = db_.prepare(sql_cursor_marks_between);
            q.bind(1, conversation_id).bind(2, kind).bind(3, *lo).bind(4, *hi);
            collect(q);
        }
        auto q = db_.prepare(sql_first_marks_above);
        q.bind(1, conversation_id).bind(2, kind).bind(3, *hi);
        collect(q);
    } else {
        for (const std::int64_t s : seqs) {
            auto q = db_.prepare(sql_first_marks_above);
            q.bind(1, conversation_id).bind(2, kind).bind(3, s - 1);
            collect(q);
        }
    }
    // Neighbouring seqs often share their first mark; callers get each mark once, by user then
    // seq as from cursor_marks.
    std::sort(out.begin(), out.end(), [](const cursor_mark& a, const cursor_mark& b) {
        return std::tie(a.user_id, a.up_to_seq) < std::tie(b.user_id, b.up_to_seq);
    });
    out.erase(std::unique(out.begin(), out.end(),
                          [](const cursor_mark& a, const cursor_mark& b) {
                              return a.user_id == b.user_id && a.up_to_seq == b.up_to_seq;
                          }),
              out.end());
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

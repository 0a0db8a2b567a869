// Read and delivered cursors in the PostgreSQL engine: moving them forward, and the record of
// every move (cursor_marks) that dates the receipts of messages.
#include <algorithm>
#include <cstdint>
#include <tuple>
#include <vector>

#include "store/postgres/pg_connection.hpp"
#include "store/postgres/postgres_queries.hpp"
#include "store/postgres/postgres_rows.hpp"

namespace writeen::store::postgres {
namespace {

// A move is one statement: clamp to the newest message (a cursor past it would count messages
// not sent yet as read), move only forward (the WHERE is re-checked on the latest row version
// when another node moved the same cursor meanwhile), and record the marks. The read move also
// moves the delivered cursor; its mark is recorded when the delivered cursor ends at the target
// (if it was already there, its mark exists and ON CONFLICT keeps it).
constexpr const char* sql_advance_read =
    "WITH t AS (SELECT least($3::bigint, last_seq) AS target FROM conversation_counters "
    "  WHERE conversation_id = $1), "
    "u AS (UPDATE participants p SET read_up_to_seq = t.target, "
    "  delivered_up_to_seq = greatest(p.delivered_up_to_seq, t.target) FROM t "
    "  WHERE p.conversation_id = $1 AND p.user_id = $2 AND p.read_up_to_seq < t.target "
    "  RETURNING t.target, p.delivered_up_to_seq AS delivered), "
    "r AS (INSERT INTO cursor_marks (conversation_id, kind, user_id, up_to_seq, at) "
    "  SELECT $1, 'read', $2, target, $4::bigint FROM u ON CONFLICT DO NOTHING), "
    "d AS (INSERT INTO cursor_marks (conversation_id, kind, user_id, up_to_seq, at) "
    "  SELECT $1, 'delivered', $2, target, $4::bigint FROM u WHERE delivered = target ON CONFLICT DO NOTHING) "
    "SELECT count(*) FROM u";

constexpr const char* sql_advance_delivered =
    "WITH t AS (SELECT least($3::bigint, last_seq) AS target FROM conversation_counters "
    "  WHERE conversation_id = $1), "
    "u AS (UPDATE participants p SET delivered_up_to_seq = t.target FROM t "
    "  WHERE p.conversation_id = $1 AND p.user_id = $2 AND p.delivered_up_to_seq < t.target "
    "  RETURNING t.target), "
    "d AS (INSERT INTO cursor_marks (conversation_id, kind, user_id, up_to_seq, at) "
    "  SELECT $1, 'delivered', $2, target, $4::bigint FROM u ON CONFLICT DO NOTHING) "
    "SELECT count(*) FROM u";

constexpr const char* sql_cursor_marks =
    "SELECT user_id, up_to_seq, at FROM cursor_marks WHERE conversation_id = $1 AND kind = $2 "
    "ORDER BY user_id, up_to_seq";

constexpr const char* sql_cursor_marks_between =
    "SELECT user_id, up_to_seq, at FROM cursor_marks WHERE conversation_id = $1 AND kind = $2 "
    "AND up_to_seq >= $3 AND up_to_seq <= $4";

// Each participant's first mark with up_to_seq > $3: one probe of the primary key per
// participant (LATERAL keeps participants outside).
constexpr const char* sql_first_marks_above =
    "SELECT m.user_id, m.up_to_seq, m.at FROM participants p CROSS JOIN LATERAL ("
    "  SELECT x.user_id, x.up_to_seq, x.at FROM cursor_marks x WHERE x.conversation_id = p.conversation_id "
    "  AND x.kind = $2 AND x.user_id = p.user_id AND x.up_to_seq > $3 ORDER BY x.up_to_seq LIMIT 1) m "
    "WHERE p.conversation_id = $1";

// The same for many seqs at once (search hits far apart): one statement instead of one per seq.
constexpr const char* sql_first_marks_above_each =
    "SELECT m.user_id, m.up_to_seq, m.at FROM unnest($3::bigint[]) AS s(seq) "
    "CROSS JOIN participants p CROSS JOIN LATERAL ("
    "  SELECT x.user_id, x.up_to_seq, x.at FROM cursor_marks x WHERE x.conversation_id = p.conversation_id "
    "  AND x.kind = $2 AND x.user_id = p.user_id AND x.up_to_seq >= s.seq ORDER BY x.up_to_seq LIMIT 1) m "
    "WHERE p.conversation_id = $1";

// Seqs this close together (a page of history) are served by one range of marks; further apart
// (search hits), the range could hold most of the history, so each seq gets its own probes.
bool dense(std::int64_t lo, std::int64_t hi, std::size_t count) {
    return hi - lo + 1 <= 4 * static_cast<std::int64_t>(count) + 64;
}

std::string bigint_array(const std::vector<std::int64_t>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ',';
        out += std::to_string(values[i]);
    }
    return out + "}";
}

void collect(const result& r, std::vector<cursor_mark>& out) {
    for (int i = 0; i < r.rows(); ++i) out.push_back(cursor_mark{r.text_at(i, 0), r.int_at(i, 1), r.int_at(i, 2)});
}

}  // namespace

std::vector<cursor_mark> postgres_queries::cursor_marks(const std::string& conversation_id, bool read) {
    std::vector<cursor_mark> out;
    collect(db_.query(sql_cursor_marks, params{}.add(conversation_id).add(read ? read_kind : delivered_kind)), out);
    return out;
}

std::vector<cursor_mark> postgres_queries::cursor_marks_for(const std::string& conversation_id, bool read,
                                                            const std::vector<std::int64_t>& seqs) {
    std::vector<cursor_mark> out;
    if (seqs.empty()) return out;
    const char* kind = read ? read_kind : delivered_kind;
    const auto [lo, hi] = std::minmax_element(seqs.begin(), seqs.end());
    if (dense(*lo, *hi, seqs.size())) {
        collect(db_.query(sql_cursor_marks_between, params{}.add(conversation_id).add(kind).add(*lo).add(*hi)), out);
        collect(db_.query(sql_first_marks_above, params{}.add(conversation_id).add(kind).add(*hi)), out);
    } else {
        collect(db_.query(sql_first_marks_above_each, params{}.add(conversation_id).add(kind).add(bigint_array(seqs))),
                out);
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

bool postgres_queries::advance_read_cursor(const std::string& conversation_id, const std::string& user_id,
                                           std::int64_t up_to_seq, unix_ms at) {
    return db_.query(sql_advance_read, params{}.add(conversation_id).add(user_id).add(up_to_seq).add(at))
               .int_at(0, 0) > 0;
}

bool postgres_queries::advance_delivered_cursor(const std::string& conversation_id, const std::string& user_id,
                                                std::int64_t up_to_seq, unix_ms at) {
    return db_.query(sql_advance_delivered, params{}.add(conversation_id).add(user_id).add(up_to_seq).add(at))
               .int_at(0, 0) > 0;
}

}  // namespace writeen::store::postgres

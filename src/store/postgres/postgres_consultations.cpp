// Consultations in the PostgreSQL engine (migration 005_consultations): what the consultation
// service confirmed, chat sessions and their ratings, the notification outbox and transcript
// keys. The same statements as sqlite_consultations.cpp.
#include <stdexcept>

#include "store/postgres/pg_connection.hpp"
#include "store/postgres/postgres_queries.hpp"
#include "store/postgres/postgres_rows.hpp"
#include "store/sqlite/column_codec.hpp"

namespace writeen::store::postgres {
namespace {

using sqlite::decode_strings;
using sqlite::encode_strings;

#define WRITEEN_PG_CONSULTATION_COLUMNS                                                               \
    "consultation_id, conversation_id, title, tutor_id, student_ids, scheduled_start, scheduled_end, " \
    "cancelled_at, created_at, updated_at"

constexpr const char* sql_find_consultation =
    "SELECT " WRITEEN_PG_CONSULTATION_COLUMNS " FROM consultations WHERE consultation_id = $1";
constexpr const char* sql_upsert_consultation =
    "INSERT INTO consultations (" WRITEEN_PG_CONSULTATION_COLUMNS
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT (consultation_id) DO UPDATE SET title = excluded.title, tutor_id = excluded.tutor_id, "
    "student_ids = excluded.student_ids, scheduled_start = excluded.scheduled_start, "
    "scheduled_end = excluded.scheduled_end, cancelled_at = excluded.cancelled_at, "
    "updated_at = excluded.updated_at";
#undef WRITEEN_PG_CONSULTATION_COLUMNS

// Ratings are few per session (one per participant): summing them with each read costs a probe.
#define WRITEEN_PG_SESSION_COLUMNS                                                                     \
    "s.id, s.conversation_id, s.consultation_id, s.session_type, s.start_time, s.end_time, s.first_seq, " \
    "s.last_seq, s.session_notes, s.summary_json, "                                                     \
    "(SELECT count(*) FROM session_ratings r WHERE r.session_id = s.id), "                              \
    "(SELECT coalesce(sum(rating), 0) FROM session_ratings r WHERE r.session_id = s.id)"

constexpr const char* sql_find_session = "SELECT " WRITEEN_PG_SESSION_COLUMNS " FROM chat_sessions s WHERE s.id = $1";
constexpr const char* sql_sessions_of =
    "SELECT " WRITEEN_PG_SESSION_COLUMNS
    " FROM chat_sessions s WHERE s.conversation_id = $1 ORDER BY s.start_time DESC, s.id DESC";
#undef WRITEEN_PG_SESSION_COLUMNS

constexpr const char* sql_insert_session =
    "INSERT INTO chat_sessions (id, conversation_id, consultation_id, session_type, start_time, end_time, "
    "first_seq, last_seq, session_notes, summary_json) VALUES ($1, $2, $3, $4, $5, NULL, $6, 0, '', '')";
constexpr const char* sql_close_session =
    "UPDATE chat_sessions SET end_time = $2, last_seq = $3, session_notes = $4, summary_json = $5 WHERE id = $1";
constexpr const char* sql_set_open_session = "UPDATE conversations SET open_session_id = $2 WHERE id = $1";

// A session can be long: read in pages by seq rather than as one result held in memory.
constexpr const char* sql_session_messages =
    "SELECT " WRITEEN_PG_MESSAGE_COLUMNS WRITEEN_PG_MESSAGES_WITH_SENDER
    "WHERE m.conversation_id = $1 AND m.seq >= $2 AND m.seq <= $3 ORDER BY m.seq LIMIT $4";
constexpr std::int64_t session_page = 500;

constexpr const char* sql_upsert_rating =
    "INSERT INTO session_ratings (session_id, user_id, rating, comment, rated_at) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (session_id, user_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, "
    "rated_at = excluded.rated_at";

constexpr const char* sql_insert_notification =
    "INSERT INTO notification_outbox (id, user_id, kind, conversation_id, payload_json, created_at, due_at, "
    "state) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending')";
constexpr const char* sql_outbox_of =
    "SELECT id, user_id, kind, conversation_id, payload_json, created_at, due_at FROM notification_outbox "
    "WHERE conversation_id = $1 ORDER BY created_at, id";

constexpr const char* sql_insert_transcript_key =
    "INSERT INTO transcript_keys (key_id, public_key_pem, created_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (key_id) DO NOTHING";
constexpr const char* sql_transcript_keys =
    "SELECT key_id, public_key_pem, created_at FROM transcript_keys ORDER BY created_at, key_id";

chat_session session_at(const result& r, int row) {
    chat_session s;
    s.id = r.text_at(row, 0);
    s.conversation_id = r.text_at(row, 1);
    s.consultation_id = r.text_at(row, 2);
    s.session_type = r.text_at(row, 3);
    s.start_time = r.int_at(row, 4);
    s.end_time = r.optional_int_at(row, 5);
    s.first_seq = r.int_at(row, 6);
    s.last_seq = r.int_at(row, 7);
    s.session_notes = r.text_at(row, 8);
    s.summary_json = r.text_at(row, 9);
    s.rating_count = r.int_at(row, 10);
    s.rating_sum = static_cast<double>(r.int_at(row, 11));
    return s;
}

}  // namespace

// ---------------------------------------------------------------- reader

std::optional<consultation_record> postgres_queries::find_consultation(const std::string& consultation_id) {
    const result r = db_.query(sql_find_consultation, params{}.add(consultation_id));
    if (r.empty()) return std::nullopt;
    consultation_record c;
    c.consultation_id = r.text_at(0, 0);
    c.conversation_id = r.text_at(0, 1);
    c.title = r.text_at(0, 2);
    c.tutor_id = r.text_at(0, 3);
    c.student_ids = decode_strings(r.text_view_at(0, 4));
    c.scheduled_start = r.int_at(0, 5);
    c.scheduled_end = r.int_at(0, 6);
    c.cancelled_at = r.optional_int_at(0, 7);
    c.created_at = r.int_at(0, 8);
    c.updated_at = r.int_at(0, 9);
    return c;
}

std::optional<chat_session> postgres_queries::find_session(const std::string& id) {
    const result r = db_.query(sql_find_session, params{}.add(id));
    if (r.empty()) return std::nullopt;
    return session_at(r, 0);
}

std::vector<chat_session> postgres_queries::sessions_of(const std::string& conversation_id) {
    const result r = db_.query(sql_sessions_of, params{}.add(conversation_id));
    std::vector<chat_session> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(session_at(r, i));
    return out;
}

void postgres_queries::for_each_message(const std::string& conversation_id, std::int64_t first_seq,
                                        std::int64_t last_seq, const std::function<void(const message&)>& fn) {
    std::int64_t from = first_seq;
    while (from <= last_seq) {
        const result r =
            db_.query(sql_session_messages, params{}.add(conversation_id).add(from).add(last_seq).add(session_page));
        for (int i = 0; i < r.rows(); ++i) fn(read_message(r, i, 0));
        if (r.rows() < session_page) return;
        from = r.int_at(r.rows() - 1, 2) + 1;  // column 2: m.seq
    }
}

std::vector<outbox_notification> postgres_queries::outbox_of(const std::string& conversation_id) {
    const result r = db_.query(sql_outbox_of, params{}.add(conversation_id));
    std::vector<outbox_notification> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i)
        out.push_back(outbox_notification{.id = r.text_at(i, 0),
                                          .user_id = r.text_at(i, 1),
                                          .kind = r.text_at(i, 2),
                                          .conversation_id = r.text_at(i, 3),
                                          .payload_json = r.text_at(i, 4),
                                          .created_at = r.int_at(i, 5),
                                          .due_at = r.int_at(i, 6)});
    return out;
}

std::vector<transcript_key> postgres_queries::transcript_keys() {
    const result r = db_.query(sql_transcript_keys);
    std::vector<transcript_key> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i)
        out.push_back(
            transcript_key{.key_id = r.text_at(i, 0), .public_key_pem = r.text_at(i, 1), .created_at = r.int_at(i, 2)});
    return out;
}

// ---------------------------------------------------------------- transaction

void postgres_queries::upsert_consultation(const consultation_record& c) {
    db_.query(sql_upsert_consultation, params{}
                                           .add(c.consultation_id)
                                           .add(c.conversation_id)
                                           .add(c.title)
                                           .add(c.tutor_id)
                                           .add(encode_strings(c.student_ids))
                                           .add(c.scheduled_start)
                                           .add(c.scheduled_end)
                                           .add(c.cancelled_at)
                                           .add(c.created_at)
                                           .add(c.updated_at));
}

void postgres_queries::insert_session(const chat_session& s) {
    // A second open session breaks chat_sessions_one_open: constraint_violation, which is the
    // std::invalid_argument store.hpp promises.
    db_.query(sql_insert_session, params{}
                                      .add(s.id)
                                      .add(s.conversation_id)
                                      .add(s.consultation_id)
                                      .add(s.session_type)
                                      .add(s.start_time)
                                      .add(s.first_seq));
}

void postgres_queries::close_session(const chat_session& s) {
    const result r = db_.query(
        sql_close_session,
        params{}.add(s.id).add(s.end_time).add(s.last_seq).add(s.session_notes).add(s.summary_json));
    if (r.affected() == 0) no_such("close_session", "session", s.id);
}

void postgres_queries::set_open_session(const std::string& conversation_id, const std::string& session_id) {
    const result r = db_.query(sql_set_open_session, params{}.add(conversation_id).add(session_id));
    if (r.affected() == 0) no_such("set_open_session", "conversation", conversation_id);
}

void postgres_queries::upsert_rating(const std::string& session_id, const std::string& user_id, int rating,
                                     const std::string& comment, unix_ms at) {
    db_.query(sql_upsert_rating, params{}.add(session_id).add(user_id).add(rating).add(comment).add(at));
}

void postgres_queries::insert_notification(const outbox_notification& n) {
    db_.query(sql_insert_notification, params{}
                                           .add(n.id)
                                           .add(n.user_id)
                                           .add(n.kind)
                                           .add(n.conversation_id)
                                           .add(n.payload_json)
                                           .add(n.created_at)
                                           .add(n.due_at));
}

void postgres_queries::insert_transcript_key(const transcript_key& k) {
    db_.query(sql_insert_transcript_key, params{}.add(k.key_id).add(k.public_key_pem).add(k.created_at));
}

}  // namespace writeen::store::postgres

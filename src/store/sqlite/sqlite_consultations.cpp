// Consultations in the SQLite engine (migration 005_consultations): what the consultation service
// confirmed, chat sessions and their ratings, the notification outbox and transcript keys.
#include <stdexcept>

#include "store/sqlite/column_codec.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_queries.hpp"
#include "store/sqlite/sqlite_rows.hpp"

namespace writeen::store::sqlite {
namespace {

#define WRITEEN_CONSULTATION_COLUMNS                                                                  \
    "consultation_id, conversation_id, title, tutor_id, student_ids, scheduled_start, scheduled_end, " \
    "cancelled_at, created_at, updated_at"

constexpr const char* sql_find_consultation =
    "SELECT " WRITEEN_CONSULTATION_COLUMNS " FROM consultations WHERE consultation_id = ?1";
constexpr const char* sql_upsert_consultation =
    "INSERT INTO consultations (" WRITEEN_CONSULTATION_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
    "ON CONFLICT (consultation_id) DO UPDATE SET title = excluded.title, tutor_id = excluded.tutor_id, "
    "student_ids = excluded.student_ids, scheduled_start = excluded.scheduled_start, "
    "scheduled_end = excluded.scheduled_end, cancelled_at = excluded.cancelled_at, "
    "updated_at = excluded.updated_at";
#undef WRITEEN_CONSULTATION_COLUMNS

// Ratings are few per session (one per participant): summing them with each read costs a probe.
#define WRITEEN_SESSION_COLUMNS                                                                        \
    "s.id, s.conversation_id, s.consultation_id, s.session_type, s.start_time, s.end_time, s.first_seq, " \
    "s.last_seq, s.session_notes, s.summary_json, "                                                     \
    "(SELECT count(*) FROM session_ratings r WHERE r.session_id = s.id), "                              \
    "(SELECT coalesce(sum(rating), 0) FROM session_ratings r WHERE r.session_id = s.id)"

constexpr const char* sql_find_session = "SELECT " WRITEEN_SESSION_COLUMNS " FROM chat_sessions s WHERE s.id = ?1";
constexpr const char* sql_sessions_of =
    "SELECT " WRITEEN_SESSION_COLUMNS
    " FROM chat_sessions s WHERE s.conversation_id = ?1 ORDER BY s.start_time DESC, s.id DESC";
#undef WRITEEN_SESSION_COLUMNS

constexpr const char* sql_insert_session =
    "INSERT INTO chat_sessions (id, conversation_id, consultation_id, session_type, start_time, end_time, "
    "first_seq, last_seq, session_notes, summary_json) VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, 0, '', '')";
constexpr const char* sql_close_session =
    "UPDATE chat_sessions SET end_time = ?2, last_seq = ?3, session_notes = ?4, summary_json = ?5 WHERE id = ?1";
constexpr const char* sql_set_open_session = "UPDATE conversations SET open_session_id = ?2 WHERE id = ?1";

constexpr const char* sql_session_messages =
    "SELECT " WRITEEN_MESSAGE_COLUMNS WRITEEN_MESSAGES_WITH_SENDER
    "WHERE m.conversation_id = ?1 AND m.seq >= ?2 AND m.seq <= ?3 ORDER BY m.seq";

constexpr const char* sql_upsert_rating =
    "INSERT INTO session_ratings (session_id, user_id, rating, comment, rated_at) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (session_id, user_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, "
    "rated_at = excluded.rated_at";

constexpr const char* sql_insert_notification =
    "INSERT INTO notification_outbox (id, user_id, kind, conversation_id, payload_json, created_at, due_at, "
    "state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending')";
constexpr const char* sql_outbox_of =
    "SELECT id, user_id, kind, conversation_id, payload_json, created_at, due_at FROM notification_outbox "
    "WHERE conversation_id = ?1 ORDER BY created_at, id";

constexpr const char* sql_insert_transcript_key =
    "INSERT INTO transcript_keys (key_id, public_key_pem, created_at) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (key_id) DO NOTHING";
constexpr const char* sql_transcript_keys =
    "SELECT key_id, public_key_pem, created_at FROM transcript_keys ORDER BY created_at, key_id";

chat_session session_at(const query& q) {
    chat_session s;
    s.id = q.text_at(0);
    s.conversation_id = q.text_at(1);
    s.consultation_id = q.text_at(2);
    s.session_type = q.text_at(3);
    s.start_time = q.int_at(4);
    s.end_time = q.optional_int_at(5);
    s.first_seq = q.int_at(6);
    s.last_seq = q.int_at(7);
    s.session_notes = q.text_at(8);
    s.summary_json = q.text_at(9);
    s.rating_count = q.int_at(10);
    s.rating_sum = static_cast<double>(q.int_at(11));
    return s;
}

}  // namespace

// ---------------------------------------------------------------- reader

std::optional<consultation_record> sqlite_queries::find_consultation(const std::string& consultation_id) {
    auto q = db_.prepare(sql_find_consultation);
    q.bind(1, consultation_id);
    if (!q.step()) return std::nullopt;
    consultation_record c;
    c.consultation_id = q.text_at(0);
    c.conversation_id = q.text_at(1);
    c.title = q.text_at(2);
    c.tutor_id = q.text_at(3);
    c.student_ids = decode_strings(q.text_view_at(4));
    c.scheduled_start = q.int_at(5);
    c.scheduled_end = q.int_at(6);
    c.cancelled_at = q.optional_int_at(7);
    c.created_at = q.int_at(8);
    c.updated_at = q.int_at(9);
    return c;
}

std::optional<chat_session> sqlite_queries::find_session(const std::string& id) {
    auto q = db_.prepare(sql_find_session);
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return session_at(q);
}

std::vector<chat_session> sqlite_queries::sessions_of(const std::string& conversation_id) {
    auto q = db_.prepare(sql_sessions_of);
    q.bind(1, conversation_id);
    std::vector<chat_session> out;
    while (q.step()) out.push_back(session_at(q));
    return out;
}

void sqlite_queries::for_each_message(const std::string& conversation_id, std::int64_t first_seq,
                                      std::int64_t last_seq, const std::function<void(const message&)>& fn) {
    auto q = db_.prepare(sql_session_messages);
    q.bind(1, conversation_id).bind(2, first_seq).bind(3, last_seq);
    while (q.step()) fn(read_message(q, 0));
}

std::vector<outbox_notification> sqlite_queries::outbox_of(const std::string& conversation_id) {
    auto q = db_.prepare(sql_outbox_of);
    q.bind(1, conversation_id);
    std::vector<outbox_notification> out;
    while (q.step())
        out.push_back(outbox_notification{.id = q.text_at(0),
                                          .user_id = q.text_at(1),
                                          .kind = q.text_at(2),
                                          .conversation_id = q.text_at(3),
                                          .payload_json = q.text_at(4),
                                          .created_at = q.int_at(5),
                                          .due_at = q.int_at(6)});
    return out;
}

std::vector<transcript_key> sqlite_queries::transcript_keys() {
    auto q = db_.prepare(sql_transcript_keys);
    std::vector<transcript_key> out;
    while (q.step())
        out.push_back(transcript_key{.key_id = q.text_at(0), .public_key_pem = q.text_at(1), .created_at = q.int_at(2)});
    return out;
}

// ---------------------------------------------------------------- transaction

void sqlite_queries::upsert_consultation(const consultation_record& c) {
    const std::string students = encode_strings(c.student_ids);
    db_.prepare(sql_upsert_consultation)
        .bind(1, c.consultation_id)
        .bind(2, c.conversation_id)
        .bind(3, c.title)
        .bind(4, c.tutor_id)
        .bind(5, students)
        .bind(6, c.scheduled_start)
        .bind(7, c.scheduled_end)
        .bind(8, c.cancelled_at)
        .bind(9, c.created_at)
        .bind(10, c.updated_at)
        .run();
}

void sqlite_queries::insert_session(const chat_session& s) {
    db_.prepare(sql_insert_session)
        .bind(1, s.id)
        .bind(2, s.conversation_id)
        .bind(3, s.consultation_id)
        .bind(4, s.session_type)
        .bind(5, s.start_time)
        .bind(6, s.first_seq)
        .run();
}

void sqlite_queries::close_session(const chat_session& s) {
    db_.prepare(sql_close_session)
        .bind(1, s.id)
        .bind(2, s.end_time)
        .bind(3, s.last_seq)
        .bind(4, s.session_notes)
        .bind(5, s.summary_json)
        .run();
    if (db_.changes() == 0) no_such("close_session", "session", s.id);
}

void sqlite_queries::set_open_session(const std::string& conversation_id, const std::string& session_id) {
    db_.prepare(sql_set_open_session).bind(1, conversation_id).bind(2, session_id).run();
    if (db_.changes() == 0) no_such("set_open_session", "conversation", conversation_id);
}

void sqlite_queries::upsert_rating(const std::string& session_id, const std::string& user_id, int rating,
                                   const std::string& comment, unix_ms at) {
    db_.prepare(sql_upsert_rating)
        .bind(1, session_id)
        .bind(2, user_id)
        .bind(3, std::int64_t{rating})
        .bind(4, comment)
        .bind(5, at)
        .run();
}

void sqlite_queries::insert_notification(const outbox_notification& n) {
    db_.prepare(sql_insert_notification)
        .bind(1, n.id)
        .bind(2, n.user_id)
        .bind(3, n.kind)
        .bind(4, n.conversation_id)
        .bind(5, n.payload_json)
        .bind(6, n.created_at)
        .bind(7, n.due_at)
        .run();
}

void sqlite_queries::insert_transcript_key(const transcript_key& k) {
    db_.prepare(sql_insert_transcript_key).bind(1, k.key_id).bind(2, k.public_key_pem).bind(3, k.created_at).run();
}

}  // namespace writeen::store::sqlite

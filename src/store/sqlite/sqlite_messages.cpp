// Messages in the SQLite engine: storing and changing them, and the slices of history the chat
// reads (pages, threads, changes since a sync point).
#include "store/sqlite/column_codec.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_queries.hpp"
#include "store/sqlite/sqlite_rows.hpp"

namespace writeen::store::sqlite {
namespace {

constexpr const char* sql_find_message =
    "SELECT " WRITEEN_MESSAGE_COLUMNS WRITEEN_MESSAGES_WITH_SENDER "WHERE m.id = ?1";

// The `<> ''` term repeats the partial index's condition so the planner may use that index.
constexpr const char* sql_find_message_by_client_id =
    "SELECT " WRITEEN_MESSAGE_COLUMNS WRITEEN_MESSAGES_WITH_SENDER
    "WHERE m.sender_id = ?1 AND m.client_message_id = ?2 AND m.client_message_id <> ''";

// Asked only after an insert broke a UNIQUE constraint, to tell messages_by_client_id from the
// other unique keys (id, and (conversation_id, seq)).
constexpr const char* sql_client_message_exists =
    "SELECT 1 FROM messages WHERE sender_id = ?1 AND client_message_id = ?2 AND client_message_id <> ''";

// `+m.created_at` keeps the planner on the (conversation_id, seq) index, which yields the rows in
// page order; the time index would need a sort of the whole conversation.
constexpr const char* sql_messages_newest_first =
    "SELECT " WRITEEN_MESSAGE_COLUMNS WRITEEN_MESSAGES_WITH_SENDER
    "WHERE m.conversation_id = ?1 AND m.seq < ?2 AND +m.created_at < ?3 "
    "ORDER BY m.seq DESC LIMIT ?5 OFFSET ?4";

constexpr const char* sql_messages_oldest_first =
    "SELECT " WRITEEN_MESSAGE_COLUMNS WRITEEN_MESSAGES_WITH_SENDER
    "WHERE m.conversation_id = ?1 AND m.seq > ?6 AND m.seq < ?2 AND +m.created_at < ?3 "
    "ORDER BY m.seq ASC LIMIT ?5 OFFSET ?4";

// One chat session's messages: the partial index messages_by_session holds only those (the
// `<> ''` term repeats its condition so the planner may use it).
constexpr const char* sql_session_messages_newest_first =
    "SELECT " WRITEEN_MESSAGE_COLUMNS WRITEEN_MESSAGES_WITH_SENDER
    "WHERE m.session_id = ?7 AND m.session_id <> '' AND m.conversation_id = ?1 AND m.seq < ?2 "
    "AND +m.created_at < ?3 ORDER BY m.seq DESC LIMIT ?5 OFFSET ?4";

constexpr const char* sql_session_messages_oldest_first =
    "SELECT " WRITEEN_MESSAGE_COLUMNS WRITEEN_MESSAGES_WITH_SENDER
    "WHERE m.session_id = ?7 AND m.session_id <> '' AND m.conversation_id = ?1 AND m.seq > ?6 "
    "AND m.seq < ?2 AND +m.created_at < ?3 ORDER BY m.seq ASC LIMIT ?5 OFFSET ?4";

constexpr const char* sql_replies =
    "SELECT " WRITEEN_MESSAGE_COLUMNS WRITEEN_MESSAGES_WITH_SENDER
    "WHERE m.reply_to = ?1 AND m.reply_to <> '' ORDER BY m.seq LIMIT ?3 OFFSET ?2";

// Two disjoint parts, both bounded by what they return:
// - messages changed after they were stored: the partial index messages_changed (the
//   `change_seq > created_change_seq` term repeats its condition so the planner may use it;
//   `+m.seq` keeps it from preferring the seq index, which may span the whole history);
// - messages stored after after_change_seq and unchanged since: because created_change_seq grows
//   with seq, they are the seqs above the newest message stored at or before after_change_seq,
//   found by walking back from up_to_seq.
constexpr const char* sql_changed_messages =
    "SELECT " WRITEEN_MESSAGE_COLUMNS WRITEEN_MESSAGES_WITH_SENDER
    "WHERE m.conversation_id = ?1 AND m.change_seq > ?3 AND m.change_seq > m.created_change_seq "
    "AND +m.seq <= ?2 "
    "UNION ALL "
    "SELECT " WRITEEN_MESSAGE_COLUMNS WRITEEN_MESSAGES_WITH_SENDER
    "WHERE m.conversation_id = ?1 AND m.seq <= ?2 AND m.seq > coalesce(("
    "  SELECT seq FROM messages WHERE conversation_id = ?1 AND seq <= ?2 AND +created_change_seq <= ?3 "
    "  ORDER BY seq DESC LIMIT 1), 0) "
    "AND m.change_seq = m.created_change_seq AND m.change_seq > ?3 "
    "ORDER BY 3";

constexpr const char* sql_change_seq_of_message =
    "SELECT created_change_seq FROM messages WHERE conversation_id = ?1 AND seq = ?2";

constexpr const char* sql_newest_message_of =
    "SELECT " WRITEEN_MESSAGE_COLUMNS WRITEEN_MESSAGES_WITH_SENDER
    "WHERE m.conversation_id = ?1 AND m.sender_id = ?2 AND m.seq > ?3 AND m.seq <= ?4 "
    "ORDER BY m.seq DESC LIMIT 1";

constexpr const char* sql_give_back_change_seq =
    "UPDATE conversation_counters SET last_change_seq = last_change_seq - 1 WHERE conversation_id = ?1";

constexpr const char* sql_last_seq = "SELECT last_seq FROM conversation_counters WHERE conversation_id = ?1";

constexpr const char* sql_set_last_seq =
    "UPDATE conversation_counters SET last_seq = ?2, updated_at = max(updated_at, ?3) WHERE conversation_id "
    "= ?1";

constexpr const char* sql_insert_message =
    "INSERT INTO messages (id, conversation_id, seq, sender_id, type, content_json, search_text, reply_to, "
    "reply_count, reactions, edit_history, edited, client_message_id, consultation_id, session_id, "
    "created_at, updated_at, deleted_at, created_change_seq, change_seq) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)";

// A new reply changes its root (replyCount), so the root's change_seq follows: a client that
// syncs past that change receives the root with its new count.
constexpr const char* sql_count_reply =
    "UPDATE messages SET reply_count = reply_count + 1, change_seq = max(change_seq, ?3) "
    "WHERE id = ?1 AND conversation_id = ?2";

constexpr const char* sql_update_message =
    "UPDATE messages SET content_json = ?2, search_text = ?3, edited = ?4, edit_history = ?5, reactions = "
    "?6, "
    "deleted_at = ?7, updated_at = ?8, change_seq = ?9 WHERE id = ?1";

bool client_message_exists(connection& db, const std::string& sender_id, const std::string& client_message_id) {
    auto q = db.prepare(sql_client_message_exists);
    q.bind(1, sender_id).bind(2, client_message_id);
    return q.step();
}

}  // namespace

// ---------------------------------------------------------------- reader

std::vector<message> sqlite_queries::read_messages(query& q) {
    std::vector<message> out;
    while (q.step()) out.push_back(read_message(q, 0));
    return out;
}

std::optional<message> sqlite_queries::find_message(const std::string& id) {
    auto q = db_.prepare(sql_find_message);
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return read_message(q, 0);
}

std::optional<message> sqlite_queries::find_message_by_client_id(const std::string& sender_id,
                                                                 const std::string& client_message_id) {
    if (client_message_id.empty()) return std::nullopt;
    auto q = db_.prepare(sql_find_message_by_client_id);
    q.bind(1, sender_id).bind(2, client_message_id);
    if (!q.step()) return std::nullopt;
    return read_message(q, 0);
}

std::vector<message> sqlite_queries::list_messages(const std::string& conversation_id,
                                                   const message_query& slice) {
    const bool session = !slice.session_id.empty();
    auto q = db_.prepare(slice.after_seq ? (session ? sql_session_messages_oldest_first : sql_messages_oldest_first)
                                         : (session ? sql_session_messages_newest_first : sql_messages_newest_first));
    q.bind(1, conversation_id)
        .bind(2, slice.before_seq.value_or(no_bound))
        .bind(3, slice.before_time.value_or(no_bound))
        .bind(4, non_negative(slice.offset))
        .bind(5, page_rows(slice.limit));
    if (slice.after_seq) q.bind(6, *slice.after_seq);
    if (session) q.bind(7, slice.session_id);
    return read_messages(q);
}

std::vector<message> sqlite_queries::list_replies(const std::string& root_id, int offset, int limit) {
    if (root_id.empty()) return {};
    auto q = db_.prepare(sql_replies);
    q.bind(1, root_id).bind(2, non_negative(offset)).bind(3, page_rows(limit));
    return read_messages(q);
}

std::vector<message> sqlite_queries::changed_messages(const std::string& conversation_id,
                                                      std::int64_t up_to_seq, std::int64_t after_change_seq) {
    auto q = db_.prepare(sql_changed_messages);
    q.bind(1, conversation_id).bind(2, up_to_seq).bind(3, after_change_seq);
    return read_messages(q);
}

std::int64_t sqlite_queries::change_seq_of_message(const std::string& conversation_id, std::int64_t seq) {
    auto q = db_.prepare(sql_change_seq_of_message);
    q.bind(1, conversation_id).bind(2, seq);
    return q.step() ? q.int_at(0) : 0;
}

std::optional<message> sqlite_queries::newest_message_of(const std::string& conversation_id,
                                                         const std::string& sender_id, std::int64_t after_seq,
                                                         std::int64_t up_to_seq) {
    auto q = db_.prepare(sql_newest_message_of);
    q.bind(1, conversation_id).bind(2, sender_id).bind(3, after_seq).bind(4, up_to_seq);
    if (!q.step()) return std::nullopt;
    return read_message(q, 0);
}

// ---------------------------------------------------------------- transaction

std::int64_t sqlite_queries::append_message(message& m) {
    std::int64_t seq = 0;
    {
        auto q = db_.prepare(sql_last_seq);
        q.bind(1, m.conversation_id);
        if (!q.step()) no_such("append_message", "conversation", m.conversation_id);
        seq = q.int_at(0) + 1;
    }
    // The message goes in first: if its insert fails, nothing has changed yet, so a caller that
    // catches the error inside its work leaves no gap in the seqs. A retried send is refused by
    // the unique index messages_by_client_id rather than by a lookup before the insert (the chat
    // looks the stored one up only then), and SQLite undoes only the failed statement, so the
    // transaction goes on.
    const std::string reactions = encode_reactions(m.reactions);
    const std::string edit_history = encode_edit_history(m.edit_history);
    try {
        db_.prepare(sql_insert_message)
            .bind(1, m.id)
            .bind(2, m.conversation_id)
            .bind(3, seq)
            .bind(4, m.sender_id)
            .bind(5, to_text(m.type))
            .bind(6, m.content_json)
            .bind(7, m.search_text)
            .bind(8, m.reply_to)
            .bind(9, m.reply_count)
            .bind(10, reactions)
            .bind(11, edit_history)
            .bind(12, std::int64_t{m.edited})
            .bind(13, m.client_message_id)
            .bind(14, m.consultation_id)
            .bind(15, m.session_id)
            .bind(16, m.created_at)
            .bind(17, m.updated_at)
            .bind(18, m.deleted_at)
            .bind(19, m.created_change_seq)
            .bind(20, m.change_seq)
            .run();
    } catch (const constraint_violation& e) {
        if (e.code() == SQLITE_CONSTRAINT_UNIQUE && !m.client_message_id.empty() &&
            client_message_exists(db_, m.sender_id, m.client_message_id))
            throw duplicate_client_message("message " + m.client_message_id + " of " + m.sender_id +
                                           " is already stored");
        throw;
    }
    db_.prepare(sql_set_last_seq).bind(1, m.conversation_id).bind(2, seq).bind(3, m.created_at).run();
    if (!m.reply_to.empty())
        db_.prepare(sql_count_reply)
            .bind(1, m.reply_to)
            .bind(2, m.conversation_id)
            .bind(3, m.change_seq)
            .run();
    m.seq = seq;
    return seq;
}

// Two function calls here, not worth fusing as PostgreSQL does. A retry gives its change seq
// back: this writer is the database's only one, so nobody has taken a later one.
std::int64_t sqlite_queries::append_new_message(message& m) {
    m.change_seq = m.created_change_seq = next_change_seq(m.conversation_id);
    try {
        return append_message(m);
    } catch (const duplicate_client_message&) {
        db_.prepare(sql_give_back_change_seq).bind(1, m.conversation_id).run();
        throw;
    }
}

void sqlite_queries::update_message(const message& m) {
    const std::string reactions = encode_reactions(m.reactions);
    const std::string edit_history = encode_edit_history(m.edit_history);
    db_.prepare(sql_update_message)
        .bind(1, m.id)
        .bind(2, m.content_json)
        .bind(3, m.search_text)
        .bind(4, std::int64_t{m.edited})
        .bind(5, edit_history)
        .bind(6, reactions)
        .bind(7, m.deleted_at)
        .bind(8, m.updated_at)
        .bind(9, m.change_seq)
        .run();
    if (db_.changes() == 0) no_such("update_message", "message", m.id);
}

}  // namespace writeen::store::sqlite

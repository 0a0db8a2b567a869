// Messages in the PostgreSQL engine: storing and changing them, and the slices of history the
// chat reads (pages, threads, changes since a sync point).
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/postgres_queries.hpp"
#include "store/postgres/postgres_rows.hpp"
#include "store/sqlite/column_codec.hpp"

namespace writeen::store::postgres {
namespace {

using sqlite::encode_edit_history;
using sqlite::encode_reactions;
using sqlite::to_text;

constexpr const char* sql_find_message =
    "SELECT " WRITEEN_PG_MESSAGE_COLUMNS WRITEEN_PG_MESSAGES_WITH_SENDER "WHERE m.id = $1";

// The `<> ''` term repeats the partial index's condition so the planner may use that index.
constexpr const char* sql_find_message_by_client_id =
    "SELECT " WRITEEN_PG_MESSAGE_COLUMNS WRITEEN_PG_MESSAGES_WITH_SENDER
    "WHERE m.sender_id = $1 AND m.client_message_id = $2 AND m.client_message_id <> ''";

constexpr const char* sql_messages_newest_first =
    "SELECT " WRITEEN_PG_MESSAGE_COLUMNS WRITEEN_PG_MESSAGES_WITH_SENDER
    "WHERE m.conversation_id = $1 AND m.seq < $2 AND m.created_at < $3 "
    "ORDER BY m.seq DESC LIMIT $5 OFFSET $4";

constexpr const char* sql_messages_oldest_first =
    "SELECT " WRITEEN_PG_MESSAGE_COLUMNS WRITEEN_PG_MESSAGES_WITH_SENDER
    "WHERE m.conversation_id = $1 AND m.seq > $6 AND m.seq < $2 AND m.created_at < $3 "
    "ORDER BY m.seq ASC LIMIT $5 OFFSET $4";

constexpr const char* sql_session_messages_newest_first =
    "SELECT " WRITEEN_PG_MESSAGE_COLUMNS WRITEEN_PG_MESSAGES_WITH_SENDER
    "WHERE m.session_id = $6 AND m.session_id <> '' AND m.conversation_id = $1 AND m.seq < $2 "
    "AND m.created_at < $3 ORDER BY m.seq DESC LIMIT $5 OFFSET $4";

constexpr const char* sql_session_messages_oldest_first =
    "SELECT " WRITEEN_PG_MESSAGE_COLUMNS WRITEEN_PG_MESSAGES_WITH_SENDER
    "WHERE m.session_id = $7 AND m.session_id <> '' AND m.conversation_id = $1 AND m.seq > $6 "
    "AND m.seq < $2 AND m.created_at < $3 ORDER BY m.seq ASC LIMIT $5 OFFSET $4";

constexpr const char* sql_replies =
    "SELECT " WRITEEN_PG_MESSAGE_COLUMNS WRITEEN_PG_MESSAGES_WITH_SENDER
    "WHERE m.reply_to = $1 AND m.reply_to <> '' ORDER BY m.seq LIMIT $3 OFFSET $2";

// As in the SQLite engine: messages changed after they were stored (partial index
// messages_changed), and messages stored after the sync point and unchanged since (found through
// (conversation_id, seq), since created_change_seq grows with seq).
constexpr const char* sql_changed_messages =
    "SELECT " WRITEEN_PG_MESSAGE_COLUMNS WRITEEN_PG_MESSAGES_WITH_SENDER
    "WHERE m.conversation_id = $1 AND m.change_seq > $3 AND m.change_seq > m.created_change_seq "
    "AND m.seq <= $2 "
    "UNION ALL "
    "SELECT " WRITEEN_PG_MESSAGE_COLUMNS WRITEEN_PG_MESSAGES_WITH_SENDER
    "WHERE m.conversation_id = $1 AND m.seq <= $2 AND m.seq > coalesce(("
    "  SELECT seq FROM messages WHERE conversation_id = $1 AND seq <= $2 AND created_change_seq <= $3 "
    "  ORDER BY seq DESC LIMIT 1), 0) "
    "AND m.change_seq = m.created_change_seq AND m.change_seq > $3 "
    "ORDER BY 3";

constexpr const char* sql_change_seq_of_message =
    "SELECT created_change_seq FROM messages WHERE conversation_id = $1 AND seq = $2";

constexpr const char* sql_newest_message_of =
    "SELECT " WRITEEN_PG_MESSAGE_COLUMNS WRITEEN_PG_MESSAGES_WITH_SENDER
    "WHERE m.conversation_id = $1 AND m.sender_id = $2 AND m.seq > $3 AND m.seq <= $4 "
    "ORDER BY m.seq DESC LIMIT 1";

// Storing a message is one round trip. k takes the conversation's next seq: the UPDATE locks
// the counters row until the batch commits, so nodes appending to one conversation take turns
// and seqs stay gap-free. ins stores the message with that seq, or nothing when
// (sender_id, client_message_id) is already stored (ON CONFLICT infers the partial unique index
// messages_by_client_id; a concurrent insert of the same key by another node is waited for).
// r counts the reply on its root when the message was stored (a new reply changes the root's
// replyCount, so the root's change_seq follows). The answer: the counter (NULL: no such
// conversation), the stored seq (NULL: a duplicate) and updated_at before the statement (all parts
// of a statement see one snapshot, so o reads the row as it was; the chat's works lock the row
// with next_change_seq first, so no other node can have changed it since).
constexpr const char* sql_append_message =
    "WITH o AS (SELECT updated_at FROM conversation_counters WHERE conversation_id = $2), "
    "k AS (UPDATE conversation_counters SET last_seq = last_seq + 1, "
    "  updated_at = greatest(updated_at, $15::bigint) WHERE conversation_id = $2 RETURNING last_seq), "
    "ins AS (INSERT INTO messages (id, conversation_id, seq, sender_id, type, content_json, search_text, "
    "  reply_to, reply_count, reactions, edit_history, edited, client_message_id, consultation_id, session_id, "
    "  created_at, updated_at, deleted_at, created_change_seq, change_seq) "
    "  SELECT $1, $2, k.last_seq, $3, $4, $5, $6, $7, $8::bigint, $9, $10, $11::boolean, $12, $13, $14, "
    "  $15::bigint, $16::bigint, $17::bigint, $18::bigint, $19::bigint FROM k "
    "  ON CONFLICT (sender_id, client_message_id) WHERE client_message_id <> '' DO NOTHING RETURNING seq), "
    "r AS (UPDATE messages SET reply_count = reply_count + 1, change_seq = greatest(change_seq, $19::bigint) "
    "  WHERE $7 <> '' AND id = $7 AND conversation_id = $2 AND EXISTS (SELECT 1 FROM ins)) "
    "SELECT (SELECT last_seq FROM k), (SELECT seq FROM ins), (SELECT updated_at FROM o)";

// Posting a message is one round trip: sql_append_message and next_change_seq in one statement.
// d finds the (sender_id, client_message_id) already stored (a retry: then nothing is changed,
// and the chat looks the stored one up). o locks the conversation's counters row (FOR UPDATE
// waits for another node appending to it and reads the row as that node committed it: the
// statement's snapshot may be older) and k, which runs after o (it needs o's row), takes the next
// seq and the next change seq; the lock is held until the batch commits, so nodes appending to
// one conversation take turns and seqs stay gap-free. ins stores the message, or nothing when
// another node stored the same key after d's snapshot (ON CONFLICT waits for it): then the caller
// gives both seqs back. r counts the reply on its root. The answer: the seq taken (NULL: no such
// conversation, or a retry), the stored seq (NULL: not stored), updated_at before the statement,
// the change seq taken, and whether d found a retry.
constexpr const char* sql_append_new_message =
    "WITH d AS (SELECT 1 FROM messages WHERE sender_id = $3 AND client_message_id = $12 "
    "  AND client_message_id <> ''), "
    "o AS (SELECT updated_at FROM conversation_counters WHERE conversation_id = $2 "
    "  AND NOT EXISTS (SELECT 1 FROM d) FOR UPDATE), "
    "k AS (UPDATE conversation_counters SET last_seq = last_seq + 1, last_change_seq = last_change_seq + 1, "
    "  updated_at = greatest(updated_at, $15::bigint) WHERE conversation_id = $2 AND EXISTS (SELECT 1 FROM o) "
    "  RETURNING last_seq, last_change_seq), "
    "ins AS (INSERT INTO messages (id, conversation_id, seq, sender_id, type, content_json, search_text, "
    "  reply_to, reply_count, reactions, edit_history, edited, client_message_id, consultation_id, session_id, "
    "  created_at, updated_at, deleted_at, created_change_seq, change_seq) "
    "  SELECT $1, $2, k.last_seq, $3, $4, $5, $6, $7, $8::bigint, $9, $10, $11::boolean, $12, $13, $14, "
    "  $15::bigint, $16::bigint, $17::bigint, k.last_change_seq, k.last_change_seq FROM k "
    "  ON CONFLICT (sender_id, client_message_id) WHERE client_message_id <> '' DO NOTHING RETURNING seq), "
    "r AS (UPDATE messages SET reply_count = reply_count + 1, "
    "  change_seq = greatest(change_seq, (SELECT last_change_seq FROM k)) "
    "  WHERE $7 <> '' AND id = $7 AND conversation_id = $2 AND EXISTS (SELECT 1 FROM ins)) "
    "SELECT (SELECT last_seq FROM k), (SELECT seq FROM ins), (SELECT updated_at FROM o), "
    "(SELECT last_change_seq FROM k), EXISTS (SELECT 1 FROM d)";

// What sql_append_new_message took for a message another node stored first, given back (this
// transaction holds the row lock, so nobody has taken a later seq).
constexpr const char* sql_give_back_seqs =
    "UPDATE conversation_counters SET last_seq = last_seq - 1, last_change_seq = last_change_seq - 1, "
    "updated_at = $2 WHERE conversation_id = $1";

// A duplicate took a seq in the same statement: give it back (this transaction holds the row
// lock, so no other node has taken a later one) and put updated_at back.
constexpr const char* sql_give_back_seq =
    "UPDATE conversation_counters SET last_seq = last_seq - 1, updated_at = $2 WHERE conversation_id = $1";

constexpr const char* sql_update_message =
    "UPDATE messages SET content_json = $2, search_text = $3, edited = $4, edit_history = $5, reactions = $6, "
    "deleted_at = $7, updated_at = $8, change_seq = $9 WHERE id = $1";

}  // namespace

// ---------------------------------------------------------------- reader

std::vector<message> postgres_queries::read_messages(const result& r) {
    std::vector<message> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_message(r, i, 0));
    return out;
}

std::optional<message> postgres_queries::find_message(const std::string& id) {
    const result r = db_.query(sql_find_message, params{}.add(id));
    if (r.empty()) return std::nullopt;
    return read_message(r, 0, 0);
}

std::optional<message> postgres_queries::find_message_by_client_id(const std::string& sender_id,
                                                                   const std::string& client_message_id) {
    if (client_message_id.empty()) return std::nullopt;
    const result r = db_.query(sql_find_message_by_client_id, params{}.add(sender_id).add(client_message_id));
    if (r.empty()) return std::nullopt;
    return read_message(r, 0, 0);
}

std::vector<message> postgres_queries::list_messages(const std::string& conversation_id,
                                                     const message_query& slice) {
    const bool session = !slice.session_id.empty();
    params p;
    p.add(conversation_id)
        .add(slice.before_seq.value_or(no_bound))
        .add(slice.before_time.value_or(no_bound))
        .add(non_negative(slice.offset))
        .add(page_rows(slice.limit));
    const char* sql = nullptr;
    if (slice.after_seq) {
        p.add(*slice.after_seq);
        if (session) p.add(slice.session_id);
        sql = session ? sql_session_messages_oldest_first : sql_messages_oldest_first;
    } else {
        if (session) p.add(slice.session_id);
        sql = session ? sql_session_messages_newest_first : sql_messages_newest_first;
    }
    return read_messages(db_.query(sql, p));
}

std::vector<message> postgres_queries::list_replies(const std::string& root_id, int offset, int limit) {
    if (root_id.empty()) return {};
    return read_messages(db_.query(sql_replies, params{}.add(root_id).add(non_negative(offset)).add(page_rows(limit))));
}

std::vector<message> postgres_queries::changed_messages(const std::string& conversation_id,
                                                        std::int64_t up_to_seq, std::int64_t after_change_seq) {
    return read_messages(
        db_.query(sql_changed_messages, params{}.add(conversation_id).add(up_to_seq).add(after_change_seq)));
}

std::int64_t postgres_queries::change_seq_of_message(const std::string& conversation_id, std::int64_t seq) {
    const result r = db_.query(sql_change_seq_of_message, params{}.add(conversation_id).add(seq));
    return r.empty() ? 0 : r.int_at(0, 0);
}

std::optional<message> postgres_queries::newest_message_of(const std::string& conversation_id,
                                                           const std::string& sender_id, std::int64_t after_seq,
                                                           std::int64_t up_to_seq) {
    const result r =
        db_.query(sql_newest_message_of, params{}.add(conversation_id).add(sender_id).add(after_seq).add(up_to_seq));
    if (r.empty()) return std::nullopt;
    return read_message(r, 0, 0);
}

// ---------------------------------------------------------------- transaction

namespace {

// $1..$17 of both append statements: the message's own columns, in the messages table's order.
params message_params(const message& m) {
    params p;
    p.add(m.id)
        .add(m.conversation_id)
        .add(m.sender_id)
        .add(to_text(m.type))
        .add(m.content_json)
        .add(m.search_text)
        .add(m.reply_to)
        .add(m.reply_count)
        .add(encode_reactions(m.reactions))
        .add(encode_edit_history(m.edit_history))
        .add(m.edited)
        .add(m.client_message_id)
        .add(m.consultation_id)
        .add(m.session_id)
        .add(m.created_at)
        .add(m.updated_at)
        .add(m.deleted_at);
    return p;
}

duplicate_client_message duplicate_of(const message& m) {
    return duplicate_client_message("message " + m.client_message_id + " of " + m.sender_id + " is already stored");
}

}  // namespace

std::int64_t postgres_queries::append_message(message& m) {
    params p = message_params(m);
    const result r = db_.query(sql_append_message, p.add(m.created_change_seq).add(m.change_seq));
    if (r.is_null(0, 0)) no_such("append_message", "conversation", m.conversation_id);
    if (r.is_null(0, 1)) {
        db_.query(sql_give_back_seq, params{}.add(m.conversation_id).add(r.int_at(0, 2)));
        throw duplicate_of(m);
    }
    m.seq = r.int_at(0, 1);
    return m.seq;
}

std::int64_t postgres_queries::append_new_message(message& m) {
    const result r = db_.query(sql_append_new_message, message_params(m));
    if (r.bool_at(0, 4)) throw duplicate_of(m);
    if (r.is_null(0, 0)) no_such("append_new_message", "conversation", m.conversation_id);
    if (r.is_null(0, 1)) {
        db_.query(sql_give_back_seqs, params{}.add(m.conversation_id).add(r.int_at(0, 2)));
        throw duplicate_of(m);
    }
    m.change_seq = m.created_change_seq = r.int_at(0, 3);
    m.seq = r.int_at(0, 1);
    return m.seq;
}

void postgres_queries::update_message(const message& m) {
    const result r = db_.query(sql_update_message, params{}
                                                       .add(m.id)
                                                       .add(m.content_json)
                                                       .add(m.search_text)
                                                       .add(m.edited)
                                                       .add(encode_edit_history(m.edit_history))
                                                       .add(encode_reactions(m.reactions))
                                                       .add(m.deleted_at)
                                                       .add(m.updated_at)
                                                       .add(m.change_seq));
    if (r.affected() == 0) no_such("update_message", "message", m.id);
}

}  // namespace writeen::store::postgres

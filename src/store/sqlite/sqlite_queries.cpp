#include "store/sqlite/sqlite_queries.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "store/sqlite/column_codec.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/fts_query.hpp"

namespace writeen::store::sqlite {
namespace {

// The column lists are macros only so that each statement stays one string literal: the
// literal's address is its key in the connection's statement cache.
#define WRITEEN_MESSAGE_COLUMNS                                                                        \
    "m.id, m.conversation_id, m.seq, m.sender_id, m.type, m.content_json, m.search_text, m.reply_to, " \
    "m.reply_count, m.reactions, m.edit_history, m.edited, m.client_message_id, m.consultation_id, "   \
    "m.session_id, m.created_at, m.updated_at, m.deleted_at, m.created_change_seq, m.change_seq, "     \
    "coalesce(u.name, ''), coalesce(u.avatar, '')"
#define WRITEEN_MESSAGES_WITH_SENDER " FROM messages m LEFT JOIN users u ON u.id = m.sender_id "
#define WRITEEN_CONVERSATION_COLUMNS                                                                    \
    "c.id, c.type, c.title, c.consultation_id, c.allow_file_upload, c.max_file_size, "                  \
    "c.allowed_file_types, c.auto_archive, c.retention_days, c.archived, c.archived_at, c.created_by, " \
    "k.last_seq, k.last_change_seq, c.created_at, k.updated_at"
#define WRITEEN_CONVERSATIONS_WITH_COUNTERS \
    " conversations c JOIN conversation_counters k ON k.conversation_id = c.id "

constexpr int message_column_count = 22;
constexpr int conversation_column_count = 16;

// ---- users

constexpr const char* sql_user = "SELECT id, name, avatar, role, last_seen FROM users WHERE id = ?1";

constexpr const char* sql_upsert_user =
    "INSERT INTO users (id, name, avatar, role, last_seen) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, avatar = excluded.avatar, role = excluded.role, "
    "last_seen = excluded.last_seen";

// ---- conversations

constexpr const char* sql_find_conversation =
    "SELECT " WRITEEN_CONVERSATION_COLUMNS " FROM" WRITEEN_CONVERSATIONS_WITH_COUNTERS "WHERE c.id = ?1";

constexpr const char* sql_participants_of =
    "SELECT p.user_id, p.role, p.joined_at, p.left_at, p.permissions, coalesce(u.name, ''), "
    "coalesce(u.avatar, ''), p.read_up_to_seq, p.delivered_up_to_seq "
    "FROM participants p LEFT JOIN users u ON u.id = p.user_id "
    "WHERE p.conversation_id = ?1 ORDER BY p.joined_at, p.user_id";

// With one user twice (a note-to-self), only a conversation of that user alone is theirs.
constexpr const char* sql_find_direct_conversation =
    "SELECT c.id FROM participants a "
    "JOIN participants b ON b.conversation_id = a.conversation_id AND b.user_id = ?2 "
    "JOIN conversations c ON c.id = a.conversation_id "
    "WHERE a.user_id = ?1 AND c.type = 'direct' "
    "AND (?1 <> ?2 OR (SELECT count(*) FROM participants x WHERE x.conversation_id = c.id) = 1) "
    "ORDER BY c.created_at, c.id LIMIT 1";

constexpr const char* sql_list_conversations =
    "SELECT " WRITEEN_CONVERSATION_COLUMNS
    ", p.read_up_to_seq "
    "FROM participants p JOIN conversations c ON c.id = p.conversation_id "
    "JOIN conversation_counters k ON k.conversation_id = c.id "
    "WHERE p.user_id = ?1 AND c.archived = ?2 AND (?3 IS NULL OR c.type = ?3) "
    "ORDER BY k.updated_at DESC, c.id DESC LIMIT ?5 OFFSET ?4";

constexpr const char* sql_count_conversations =
    "SELECT count(*) FROM participants p JOIN conversations c ON c.id = p.conversation_id "
    "WHERE p.user_id = ?1 AND c.archived = ?2 AND (?3 IS NULL OR c.type = ?3)";

constexpr const char* sql_newest_message = "SELECT " WRITEEN_MESSAGE_COLUMNS WRITEEN_MESSAGES_WITH_SENDER
                                           "WHERE m.conversation_id = ?1 ORDER BY m.seq DESC LIMIT 1";

constexpr const char* sql_unread_count =
    "SELECT count(*) FROM messages WHERE conversation_id = ?1 AND seq > ?2 AND sender_id <> ?3 "
    "AND deleted_at IS NULL";

constexpr const char* sql_conversation_ids_of =
    "SELECT conversation_id FROM participants WHERE user_id = ?1 AND left_at IS NULL ORDER BY "
    "conversation_id";

constexpr const char* sql_peers_of =
    "SELECT DISTINCT b.user_id FROM participants a "
    "JOIN participants b ON b.conversation_id = a.conversation_id "
    "WHERE a.user_id = ?1 AND a.left_at IS NULL AND b.left_at IS NULL AND b.user_id <> ?1 "
    "ORDER BY b.user_id";

constexpr const char* sql_insert_conversation =
    "INSERT INTO conversations (id, type, title, consultation_id, allow_file_upload, max_file_size, "
    "allowed_file_types, auto_archive, retention_days, archived, archived_at, created_by, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

constexpr const char* sql_insert_counters =
    "INSERT INTO conversation_counters (conversation_id, last_seq, last_change_seq, updated_at) "
    "VALUES (?1, ?2, ?3, ?4)";

constexpr const char* sql_update_conversation =
    "UPDATE conversations SET title = ?2, allow_file_upload = ?3, max_file_size = ?4, "
    "allowed_file_types = ?5, auto_archive = ?6, retention_days = ?7, archived = ?8, archived_at = ?9 "
    "WHERE id = ?1";

constexpr const char* sql_set_updated_at =
    "UPDATE conversation_counters SET updated_at = ?2 WHERE conversation_id = ?1";

constexpr const char* sql_insert_participant =
    "INSERT INTO participants (conversation_id, user_id, role, joined_at, left_at, permissions, "
    "read_up_to_seq, delivered_up_to_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, max(?7, ?8))";

constexpr const char* sql_upsert_participant =
    "INSERT INTO participants (conversation_id, user_id, role, joined_at, left_at, permissions, "
    "read_up_to_seq, delivered_up_to_seq) VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6, max(?6, ?7)) "
    "ON CONFLICT (conversation_id, user_id) DO UPDATE SET role = excluded.role, "
    "permissions = excluded.permissions, left_at = NULL";

constexpr const char* sql_set_participant_left =
    "UPDATE participants SET left_at = ?3 WHERE conversation_id = ?1 AND user_id = ?2";

// Counters are bumped by a plain UPDATE and read back by a point SELECT: together about half the
// cost of one UPDATE ... RETURNING, which SQLite runs through a temporary table.
constexpr const char* sql_bump_change_seq =
    "UPDATE conversation_counters SET last_change_seq = last_change_seq + 1 WHERE conversation_id = ?1";
constexpr const char* sql_last_change_seq =
    "SELECT last_change_seq FROM conversation_counters WHERE conversation_id = ?1";

// ---- messages

constexpr const char* sql_find_message =
    "SELECT " WRITEEN_MESSAGE_COLUMNS WRITEEN_MESSAGES_WITH_SENDER "WHERE m.id = ?1";

// The `<> ''` term repeats the partial index's condition so the planner may use that index.
constexpr const char* sql_find_message_by_client_id =
    "SELECT " WRITEEN_MESSAGE_COLUMNS WRITEEN_MESSAGES_WITH_SENDER
    "WHERE m.sender_id = ?1 AND m.client_message_id = ?2 AND m.client_message_id <> ''";

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

// ---- cursors

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

// ---- retention

constexpr const char* sql_retained_conversations =
    "SELECT c.id, c.retention_days, k.last_seq FROM" WRITEEN_CONVERSATIONS_WITH_COUNTERS
    "WHERE c.retention_days > 0";

// Deletes, in seq order, every message before the first one still inside the retention: the
// walk from the oldest message stops there, so the cost follows what is deleted, and no index on
// created_at is kept up to date for it on every send. (A message stamped older than one before
// it waits until that one expires.)
constexpr const char* sql_delete_messages_before =
    "DELETE FROM messages WHERE conversation_id = ?1 AND seq < coalesce(("
    "  SELECT seq FROM messages WHERE conversation_id = ?1 AND +created_at >= ?2 ORDER BY seq LIMIT 1), ?3)";

// A mark below the oldest remaining message covers no message any more.
constexpr const char* sql_prune_cursor_marks =
    "DELETE FROM cursor_marks WHERE conversation_id = ?1 "
    "AND up_to_seq < coalesce((SELECT min(seq) FROM messages WHERE conversation_id = ?1), ?2)";

// ---- search

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
#undef WRITEEN_CONVERSATIONS_WITH_COUNTERS
#undef WRITEEN_CONVERSATION_COLUMNS
#undef WRITEEN_MESSAGES_WITH_SENDER
#undef WRITEEN_MESSAGE_COLUMNS

constexpr const char* read_kind = "read";
constexpr const char* delivered_kind = "delivered";
constexpr std::int64_t ms_per_day = 86'400'000;
constexpr std::int64_t no_bound = std::numeric_limits<std::int64_t>::max();

const std::string default_permissions_json = encode_strings(participant{}.permissions);

// limit + 1 rows let callers tell whether there is a next page.
std::int64_t page_rows(int limit) { return static_cast<std::int64_t>(std::max(limit, 0)) + 1; }
std::int64_t non_negative(int value) { return std::max(value, 0); }

message read_message(const query& q, int c) {
    message m;
    m.id = q.text_at(c + 0);
    m.conversation_id = q.text_at(c + 1);
    m.seq = q.int_at(c + 2);
    m.sender_id = q.text_at(c + 3);
    m.type = message_type_from_text(q.text_view_at(c + 4));
    m.content_json = q.text_at(c + 5);
    m.search_text = q.text_at(c + 6);
    m.reply_to = q.text_at(c + 7);
    m.reply_count = q.int_at(c + 8);
    m.reactions = decode_reactions(q.text_view_at(c + 9));
    m.edit_history = decode_edit_history(q.text_view_at(c + 10));
    m.edited = q.bool_at(c + 11);
    m.client_message_id = q.text_at(c + 12);
    m.consultation_id = q.text_at(c + 13);
    m.session_id = q.text_at(c + 14);
    m.created_at = q.int_at(c + 15);
    m.updated_at = q.int_at(c + 16);
    m.deleted_at = q.optional_int_at(c + 17);
    m.created_change_seq = q.int_at(c + 18);
    m.change_seq = q.int_at(c + 19);
    m.sender_name = q.text_at(c + 20);
    m.sender_avatar = q.text_at(c + 21);
    return m;
}

conversation read_conversation(const query& q, int c) {
    conversation out;
    out.id = q.text_at(c + 0);
    out.type = conversation_type_from_text(q.text_view_at(c + 1));
    out.title = q.text_at(c + 2);
    out.consultation_id = q.text_at(c + 3);
    out.settings.allow_file_upload = q.bool_at(c + 4);
    out.settings.max_file_size = q.int_at(c + 5);
    out.settings.allowed_file_types = decode_strings(q.text_view_at(c + 6));
    out.settings.auto_archive = q.bool_at(c + 7);
    out.settings.retention_days = static_cast<int>(q.int_at(c + 8));
    out.archived = q.bool_at(c + 9);
    out.archived_at = q.optional_int_at(c + 10);
    out.created_by = q.text_at(c + 11);
    out.last_seq = q.int_at(c + 12);
    out.last_change_seq = q.int_at(c + 13);
    out.created_at = q.int_at(c + 14);
    out.updated_at = q.int_at(c + 15);
    return out;
}

[[noreturn]] void no_such(const char* operation, const char* what, const std::string& id) {
    throw std::invalid_argument(std::string{operation} + ": no " + what + " '" + id + "'");
}

}  // namespace

// ---------------------------------------------------------------- reader

std::optional<user_profile> sqlite_queries::user(const std::string& id) {
    auto q = db_.prepare(sql_user);
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    user_profile u;
    u.id = q.text_at(0);
    u.name = q.text_at(1);
    u.avatar = q.text_at(2);
    u.role = role_from_text(q.text_view_at(3));
    u.last_seen = q.int_at(4);
    return u;
}

std::vector<participant> sqlite_queries::participants_of(const std::string& conversation_id) {
    std::vector<participant> out;
    auto q = db_.prepare(sql_participants_of);
    q.bind(1, conversation_id);
    while (q.step()) {
        participant p;
        p.user_id = q.text_at(0);
        p.role = role_from_text(q.text_view_at(1));
        p.joined_at = q.int_at(2);
        p.left_at = q.optional_int_at(3);
        if (q.text_view_at(4) != default_permissions_json) p.permissions = decode_strings(q.text_view_at(4));
        p.name = q.text_at(5);
        p.avatar = q.text_at(6);
        p.read_up_to_seq = q.int_at(7);
        p.delivered_up_to_seq = q.int_at(8);
        out.push_back(std::move(p));
    }
    return out;
}

std::optional<conversation> sqlite_queries::find_conversation(const std::string& id) {
    std::optional<conversation> out;
    {
        auto q = db_.prepare(sql_find_conversation);
        q.bind(1, id);
        if (!q.step()) return std::nullopt;
        out = read_conversation(q, 0);
    }
    out->participants = participants_of(id);
    return out;
}

std::optional<std::string> sqlite_queries::find_direct_conversation(const std::string& user_a,
                                                                    const std::string& user_b) {
    auto q = db_.prepare(sql_find_direct_conversation);
    q.bind(1, user_a).bind(2, user_b);
    if (!q.step()) return std::nullopt;
    return q.text_at(0);
}

std::optional<message> sqlite_queries::newest_message(const std::string& conversation_id) {
    auto q = db_.prepare(sql_newest_message);
    q.bind(1, conversation_id);
    if (!q.step()) return std::nullopt;
    return read_message(q, 0);
}

std::int64_t sqlite_queries::unread_count(const std::string& conversation_id, const std::string& user_id,
                                          std::int64_t read_up_to_seq) {
    auto q = db_.prepare(sql_unread_count);
    q.bind(1, conversation_id).bind(2, read_up_to_seq).bind(3, user_id);
    return q.step() ? q.int_at(0) : 0;
}

conversation_page sqlite_queries::list_conversations(const std::string& user_id,
                                                     const conversation_filter& filter, int offset,
                                                     int limit) {
    conversation_page page;
    const std::optional<std::string_view> type =
        filter.type ? std::optional<std::string_view>{to_text(*filter.type)} : std::nullopt;
    auto bind_filter = [&](query& q) {
        q.bind(1, user_id).bind(2, std::int64_t{filter.archived});
        if (type)
            q.bind(3, *type);
        else
            q.bind_null(3);
    };
    {
        auto q = db_.prepare(sql_count_conversations);
        bind_filter(q);
        if (q.step()) page.total = q.int_at(0);
    }
    std::vector<std::int64_t> read_cursors;
    {
        auto q = db_.prepare(sql_list_conversations);
        bind_filter(q);
        q.bind(4, non_negative(offset)).bind(5, non_negative(limit));
        while (q.step()) {
            conversation_summary item;
            item.conversation = read_conversation(q, 0);
            read_cursors.push_back(q.int_at(conversation_column_count));
            page.items.push_back(std::move(item));
        }
    }
    // A page holds at most a hundred conversations: three indexed lookups each stay cheap.
    for (std::size_t i = 0; i < page.items.size(); ++i) {
        auto& item = page.items[i];
        const std::string& id = item.conversation.id;
        item.conversation.participants = participants_of(id);
        item.last_message = newest_message(id);
        item.unread_count = unread_count(id, user_id, read_cursors[i]);
    }
    return page;
}

std::vector<std::string> sqlite_queries::conversation_ids_of(const std::string& user_id) {
    std::vector<std::string> out;
    auto q = db_.prepare(sql_conversation_ids_of);
    q.bind(1, user_id);
    while (q.step()) out.push_back(q.text_at(0));
    return out;
}

std::vector<std::string> sqlite_queries::peers_of(const std::string& user_id) {
    std::vector<std::string> out;
    auto q = db_.prepare(sql_peers_of);
    q.bind(1, user_id);
    while (q.step()) out.push_back(q.text_at(0));
    return out;
}

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
    auto q = db_.prepare(slice.after_seq ? sql_messages_oldest_first : sql_messages_newest_first);
    q.bind(1, conversation_id)
        .bind(2, slice.before_seq.value_or(no_bound))
        .bind(3, slice.before_time.value_or(no_bound))
        .bind(4, non_negative(slice.offset))
        .bind(5, page_rows(slice.limit));
    if (slice.after_seq) q.bind(6, *slice.after_seq);
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

std::vector<cursor_mark> sqlite_queries::cursor_marks(const std::string& conversation_id, bool read) {
    std::vector<cursor_mark> out;
    auto q = db_.prepare(sql_cursor_marks);
    q.bind(1, conversation_id).bind(2, std::string_view{read ? read_kind : delivered_kind});
    while (q.step()) out.push_back(cursor_mark{q.text_at(0), q.int_at(1), q.int_at(2)});
    return out;
}

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

// ---------------------------------------------------------------- transaction

void sqlite_queries::upsert_user(const user_profile& u) {
    db_.prepare(sql_upsert_user)
        .bind(1, u.id)
        .bind(2, u.name)
        .bind(3, u.avatar)
        .bind(4, to_text(u.role))
        .bind(5, u.last_seen)
        .run();
}

void sqlite_queries::insert_conversation(const conversation& c) {
    const std::string file_types = encode_strings(c.settings.allowed_file_types);
    db_.prepare(sql_insert_conversation)
        .bind(1, c.id)
        .bind(2, to_text(c.type))
        .bind(3, c.title)
        .bind(4, c.consultation_id)
        .bind(5, std::int64_t{c.settings.allow_file_upload})
        .bind(6, c.settings.max_file_size)
        .bind(7, file_types)
        .bind(8, std::int64_t{c.settings.auto_archive})
        .bind(9, std::int64_t{c.settings.retention_days})
        .bind(10, std::int64_t{c.archived})
        .bind(11, c.archived_at)
        .bind(12, c.created_by)
        .bind(13, c.created_at)
        .run();
    db_.prepare(sql_insert_counters)
        .bind(1, c.id)
        .bind(2, c.last_seq)
        .bind(3, c.last_change_seq)
        .bind(4, c.updated_at)
        .run();
    for (const participant& p : c.participants) {
        const std::string permissions = encode_strings(p.permissions);
        db_.prepare(sql_insert_participant)
            .bind(1, c.id)
            .bind(2, p.user_id)
            .bind(3, to_text(p.role))
            .bind(4, p.joined_at)
            .bind(5, p.left_at)
            .bind(6, permissions)
            .bind(7, p.read_up_to_seq)
            .bind(8, p.delivered_up_to_seq)
            .run();
    }
}

void sqlite_queries::update_conversation(const conversation& c) {
    const std::string file_types = encode_strings(c.settings.allowed_file_types);
    db_.prepare(sql_update_conversation)
        .bind(1, c.id)
        .bind(2, c.title)
        .bind(3, std::int64_t{c.settings.allow_file_upload})
        .bind(4, c.settings.max_file_size)
        .bind(5, file_types)
        .bind(6, std::int64_t{c.settings.auto_archive})
        .bind(7, std::int64_t{c.settings.retention_days})
        .bind(8, std::int64_t{c.archived})
        .bind(9, c.archived_at)
        .run();
    if (db_.changes() == 0) no_such("update_conversation", "conversation", c.id);
    db_.prepare(sql_set_updated_at).bind(1, c.id).bind(2, c.updated_at).run();
}

void sqlite_queries::upsert_participant(const std::string& conversation_id, const participant& p) {
    const std::string permissions = encode_strings(p.permissions);
    db_.prepare(sql_upsert_participant)
        .bind(1, conversation_id)
        .bind(2, p.user_id)
        .bind(3, to_text(p.role))
        .bind(4, p.joined_at)
        .bind(5, permissions)
        .bind(6, p.read_up_to_seq)
        .bind(7, p.delivered_up_to_seq)
        .run();
}

void sqlite_queries::set_participant_left(const std::string& conversation_id, const std::string& user_id,
                                          unix_ms left_at) {
    db_.prepare(sql_set_participant_left).bind(1, conversation_id).bind(2, user_id).bind(3, left_at).run();
}

std::int64_t sqlite_queries::next_change_seq(const std::string& conversation_id) {
    db_.prepare(sql_bump_change_seq).bind(1, conversation_id).run();
    if (db_.changes() == 0) no_such("next_change_seq", "conversation", conversation_id);
    auto q = db_.prepare(sql_last_change_seq);
    q.bind(1, conversation_id);
    q.step();
    return q.int_at(0);
}

std::int64_t sqlite_queries::append_message(message& m) {
    if (!m.client_message_id.empty()) {
        auto q = db_.prepare(sql_client_message_exists);
        q.bind(1, m.sender_id).bind(2, m.client_message_id);
        if (q.step())
            throw duplicate_client_message("message " + m.client_message_id + " of " + m.sender_id +
                                           " is already stored");
    }
    std::int64_t seq = 0;
    {
        auto q = db_.prepare(sql_last_seq);
        q.bind(1, m.conversation_id);
        if (!q.step()) no_such("append_message", "conversation", m.conversation_id);
        seq = q.int_at(0) + 1;
    }
    // The message goes in first: if its insert fails, nothing has changed yet, so a caller that
    // catches the error inside its work leaves no gap in the seqs.
    const std::string reactions = encode_reactions(m.reactions);
    const std::string edit_history = encode_edit_history(m.edit_history);
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

void sqlite_queries::index_new_messages() {
    db_.prepare(sql_index_new_messages).run();
    db_.prepare(sql_move_index_watermark).run();
}

std::int64_t sqlite_queries::delete_expired_messages(unix_ms now) {
    struct retained {
        std::string id;
        std::int64_t days;
        std::int64_t last_seq;
    };
    std::vector<retained> conversations;
    {
        auto q = db_.prepare(sql_retained_conversations);
        while (q.step()) conversations.push_back(retained{q.text_at(0), q.int_at(1), q.int_at(2)});
    }
    std::int64_t deleted = 0;
    for (const retained& c : conversations) {
        // Saturate: a retention of millions of days reaches before the epoch, not an overflow.
        const std::int64_t keep_ms = c.days > (now / ms_per_day) ? now : c.days * ms_per_day;
        db_.prepare(sql_delete_messages_before)
            .bind(1, c.id)
            .bind(2, now - keep_ms)
            .bind(3, c.last_seq + 1)
            .run();
        const std::int64_t n = db_.changes();
        if (n == 0) continue;
        deleted += n;
        db_.prepare(sql_prune_cursor_marks).bind(1, c.id).bind(2, c.last_seq + 1).run();
    }
    return deleted;
}

}  // namespace writeen::store::sqlite

// Conversations in the SQLite engine: their settings, participants and counters, and the list
// a user sees (with each conversation's newest message and unread count).
#include <string_view>

#include "store/sqlite/column_codec.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_queries.hpp"
#include "store/sqlite/sqlite_rows.hpp"

namespace writeen::store::sqlite {
namespace {

constexpr const char* sql_find_conversation =
    "SELECT " WRITEEN_CONVERSATION_COLUMNS " FROM" WRITEEN_CONVERSATIONS_WITH_COUNTERS "WHERE c.id = ?1";

constexpr const char* sql_participants_of =
    "SELECT p.user_id, p.role, p.joined_at, p.left_at, p.permissions, coalesce(u.name, ''), "
    "coalesce(u.avatar, ''), p.read_up_to_seq, p.delivered_up_to_seq, p.hidden_up_to_seq "
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

// Archived (?2 = 1): closed for everyone, or in the user's own archive with no newer message.
#define WRITEEN_ARCHIVED_FOR_USER \
    "(c.archived = 1 OR coalesce(p.hidden_up_to_seq >= k.last_seq, 0)) = ?2 "

constexpr const char* sql_list_conversations =
    "SELECT " WRITEEN_CONVERSATION_COLUMNS
    ", p.read_up_to_seq "
    "FROM participants p JOIN conversations c ON c.id = p.conversation_id "
    "JOIN conversation_counters k ON k.conversation_id = c.id "
    "WHERE p.user_id = ?1 AND " WRITEEN_ARCHIVED_FOR_USER "AND (?3 IS NULL OR c.type = ?3) "
    "ORDER BY k.updated_at DESC, c.id DESC LIMIT ?5 OFFSET ?4";

constexpr const char* sql_count_conversations =
    "SELECT count(*) FROM participants p JOIN conversations c ON c.id = p.conversation_id "
    "JOIN conversation_counters k ON k.conversation_id = c.id "
    "WHERE p.user_id = ?1 AND " WRITEEN_ARCHIVED_FOR_USER "AND (?3 IS NULL OR c.type = ?3)";

constexpr const char* sql_newest_message = "SELECT " WRITEEN_MESSAGE_COLUMNS WRITEEN_MESSAGES_WITH_SENDER
                                           "WHERE m.conversation_id = ?1 ORDER BY m.seq DESC LIMIT 1";

constexpr const char* sql_unread_count =
    "SELECT count(*) FROM messages WHERE conversation_id = ?1 AND seq > ?2 AND sender_id <> ?3 "
    "AND deleted_at IS NULL";

constexpr const char* sql_conversation_ids_of =
    "SELECT conversation_id FROM participants WHERE user_id = ?1 AND left_at IS NULL ORDER BY "
    "conversation_id";

constexpr const char* sql_join_state =
    "SELECT k.last_seq, k.last_change_seq, p.read_up_to_seq FROM conversation_counters k "
    "JOIN participants p ON p.conversation_id = k.conversation_id AND p.user_id = ?2 "
    "WHERE k.conversation_id = ?1";

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

constexpr const char* sql_set_participant_hidden =
    "UPDATE participants SET hidden_up_to_seq = ?3 WHERE conversation_id = ?1 AND user_id = ?2";

constexpr const char* sql_set_participant_left =
    "UPDATE participants SET left_at = ?3 WHERE conversation_id = ?1 AND user_id = ?2";

// Counters are bumped by a plain UPDATE and read back by a point SELECT: together about half the
// cost of one UPDATE ... RETURNING, which SQLite runs through a temporary table.
constexpr const char* sql_bump_change_seq =
    "UPDATE conversation_counters SET last_change_seq = last_change_seq + 1 WHERE conversation_id = ?1";
constexpr const char* sql_last_change_seq =
    "SELECT last_change_seq FROM conversation_counters WHERE conversation_id = ?1";

const std::string default_permissions_json = encode_strings(participant{}.permissions);

}  // namespace

// ---------------------------------------------------------------- reader

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
        p.hidden_up_to_seq = q.optional_int_at(9);
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

std::optional<join_state> sqlite_queries::join_state_of(const std::string& conversation_id,
                                                        const std::string& user_id) {
    auto q = db_.prepare(sql_join_state);
    q.bind(1, conversation_id).bind(2, user_id);
    if (!q.step()) return std::nullopt;
    return join_state{q.int_at(0), q.int_at(1), q.int_at(2)};
}

// ---------------------------------------------------------------- transaction

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

void sqlite_queries::set_participant_hidden(const std::string& conversation_id, const std::string& user_id,
                                            std::optional<std::int64_t> up_to_seq) {
    db_.prepare(sql_set_participant_hidden).bind(1, conversation_id).bind(2, user_id).bind(3, up_to_seq).run();
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

}  // namespace writeen::store::sqlite

// Conversations in the PostgreSQL engine: their settings, participants and counters, and the
// list a user sees (with each conversation's newest message and unread count). Each round trip
// costs far more here than a statement in SQLite, so the list is three statements per page
// (count, page with newest message and unread count, participants of the whole page), not
// three per conversation.
#include <map>
#include <string_view>

#include "store/postgres/pg_connection.hpp"
#include "store/postgres/postgres_queries.hpp"
#include "store/postgres/postgres_rows.hpp"
#include "store/sqlite/column_codec.hpp"

namespace writeen::store::postgres {
namespace {

using sqlite::decode_strings;
using sqlite::encode_strings;
using sqlite::role_from_text;
using sqlite::to_text;

constexpr const char* sql_find_conversation =
    "SELECT " WRITEEN_PG_CONVERSATION_COLUMNS " FROM" WRITEEN_PG_CONVERSATIONS_WITH_COUNTERS "WHERE c.id = $1";

#define WRITEEN_PG_PARTICIPANT_COLUMNS                                                    \
    "p.user_id, p.role, p.joined_at, p.left_at, p.permissions, coalesce(u.name, ''), " \
    "coalesce(u.avatar, ''), p.read_up_to_seq, p.delivered_up_to_seq, p.conversation_id, p.hidden_up_to_seq "

constexpr const char* sql_participants_of =
    "SELECT " WRITEEN_PG_PARTICIPANT_COLUMNS "FROM participants p LEFT JOIN users u ON u.id = p.user_id "
    "WHERE p.conversation_id = $1 ORDER BY p.joined_at, p.user_id";

constexpr const char* sql_participants_of_many =
    "SELECT " WRITEEN_PG_PARTICIPANT_COLUMNS "FROM participants p LEFT JOIN users u ON u.id = p.user_id "
    "WHERE p.conversation_id = ANY($1::text[]) ORDER BY p.conversation_id, p.joined_at, p.user_id";

// With one user twice (a note-to-self), only a conversation of that user alone is theirs.
constexpr const char* sql_find_direct_conversation =
    "SELECT c.id FROM participants a "
    "JOIN participants b ON b.conversation_id = a.conversation_id AND b.user_id = $2 "
    "JOIN conversations c ON c.id = a.conversation_id "
    "WHERE a.user_id = $1 AND c.type = 'direct' "
    "AND ($1::text <> $2::text OR (SELECT count(*) FROM participants x WHERE x.conversation_id = c.id) = 1) "
    "ORDER BY c.created_at, c.id LIMIT 1";

// Archived ($2 true): closed for everyone, or in the user's own archive with no newer message.
#define WRITEEN_PG_ARCHIVED_FOR_USER \
    "(c.archived OR coalesce(p.hidden_up_to_seq >= k.last_seq, false)) = $2::boolean "

// The page with, per conversation, its newest message (deleted or not) and the user's unread
// count, in one statement.
constexpr const char* sql_list_conversations =
    "SELECT " WRITEEN_PG_CONVERSATION_COLUMNS ", "
    "(SELECT count(*) FROM messages x WHERE x.conversation_id = c.id AND x.seq > p.read_up_to_seq "
    " AND x.sender_id <> $1 AND x.deleted_at IS NULL), "
    "lm.* "
    "FROM participants p JOIN conversations c ON c.id = p.conversation_id "
    "JOIN conversation_counters k ON k.conversation_id = c.id "
    "LEFT JOIN LATERAL (SELECT " WRITEEN_PG_MESSAGE_COLUMNS WRITEEN_PG_MESSAGES_WITH_SENDER
    " WHERE m.conversation_id = c.id ORDER BY m.seq DESC LIMIT 1) lm ON true "
    "WHERE p.user_id = $1 AND " WRITEEN_PG_ARCHIVED_FOR_USER "AND ($3::text IS NULL OR c.type = $3) "
    "ORDER BY k.updated_at DESC, c.id DESC LIMIT $5 OFFSET $4";

constexpr const char* sql_count_conversations =
    "SELECT count(*) FROM participants p JOIN conversations c ON c.id = p.conversation_id "
    "JOIN conversation_counters k ON k.conversation_id = c.id "
    "WHERE p.user_id = $1 AND " WRITEEN_PG_ARCHIVED_FOR_USER "AND ($3::text IS NULL OR c.type = $3)";

constexpr const char* sql_conversation_ids_of =
    "SELECT conversation_id FROM participants WHERE user_id = $1 AND left_at IS NULL ORDER BY "
    "conversation_id";

constexpr const char* sql_join_state =
    "SELECT k.last_seq, k.last_change_seq, p.read_up_to_seq FROM conversation_counters k "
    "JOIN participants p ON p.conversation_id = k.conversation_id AND p.user_id = $2 "
    "WHERE k.conversation_id = $1";

// The conversation and its counters in one statement.
constexpr const char* sql_insert_conversation =
    "WITH c AS (INSERT INTO conversations (id, type, title, consultation_id, allow_file_upload, max_file_size, "
    "allowed_file_types, auto_archive, retention_days, archived, archived_at, created_by, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id) "
    "INSERT INTO conversation_counters (conversation_id, last_seq, last_change_seq, updated_at) "
    "SELECT id, $14::bigint, $15::bigint, $16::bigint FROM c";

constexpr const char* sql_insert_participant =
    "INSERT INTO participants (conversation_id, user_id, role, joined_at, left_at, permissions, "
    "read_up_to_seq, delivered_up_to_seq) VALUES ($1, $2, $3, $4, $5, $6, $7::bigint, greatest($7::bigint, $8::bigint))";

constexpr const char* sql_update_conversation =
    "WITH k AS (UPDATE conversation_counters SET updated_at = $10 WHERE conversation_id = $1) "
    "UPDATE conversations SET title = $2, allow_file_upload = $3, max_file_size = $4, "
    "allowed_file_types = $5, auto_archive = $6, retention_days = $7, archived = $8, archived_at = $9 "
    "WHERE id = $1";

constexpr const char* sql_upsert_participant =
    "INSERT INTO participants (conversation_id, user_id, role, joined_at, left_at, permissions, "
    "read_up_to_seq, delivered_up_to_seq) VALUES ($1, $2, $3, $4, NULL, $5, $6::bigint, greatest($6::bigint, $7::bigint)) "
    "ON CONFLICT (conversation_id, user_id) DO UPDATE SET role = excluded.role, "
    "permissions = excluded.permissions, left_at = NULL";

constexpr const char* sql_set_participant_hidden =
    "UPDATE participants SET hidden_up_to_seq = $3 WHERE conversation_id = $1 AND user_id = $2";

constexpr const char* sql_set_participant_left =
    "UPDATE participants SET left_at = $3 WHERE conversation_id = $1 AND user_id = $2";

// One round trip; the row lock it takes serialises this conversation's changes across nodes
// until the batch commits.
constexpr const char* sql_next_change_seq =
    "UPDATE conversation_counters SET last_change_seq = last_change_seq + 1 WHERE conversation_id = $1 "
    "RETURNING last_change_seq";

const std::string default_permissions_json = encode_strings(participant{}.permissions);

participant read_participant(const result& r, int row) {
    participant p;
    p.user_id = r.text_at(row, 0);
    p.role = role_from_text(r.text_view_at(row, 1));
    p.joined_at = r.int_at(row, 2);
    p.left_at = r.optional_int_at(row, 3);
    if (r.text_view_at(row, 4) != default_permissions_json) p.permissions = decode_strings(r.text_view_at(row, 4));
    p.name = r.text_at(row, 5);
    p.avatar = r.text_at(row, 6);
    p.read_up_to_seq = r.int_at(row, 7);
    p.delivered_up_to_seq = r.int_at(row, 8);
    p.hidden_up_to_seq = r.optional_int_at(row, 10);
    return p;
}

}  // namespace

// ---------------------------------------------------------------- reader

std::vector<participant> postgres_queries::participants_of(const std::string& conversation_id) {
    const result r = db_.query(sql_participants_of, params{}.add(conversation_id));
    std::vector<participant> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_participant(r, i));
    return out;
}

std::optional<conversation> postgres_queries::find_conversation(const std::string& id) {
    std::optional<conversation> out;
    {
        const result r = db_.query(sql_find_conversation, params{}.add(id));
        if (r.empty()) return std::nullopt;
        out = read_conversation(r, 0, 0);
    }
    out->participants = participants_of(id);
    return out;
}

std::optional<std::string> postgres_queries::find_direct_conversation(const std::string& user_a,
                                                                      const std::string& user_b) {
    const result r = db_.query(sql_find_direct_conversation, params{}.add(user_a).add(user_b));
    if (r.empty()) return std::nullopt;
    return r.text_at(0, 0);
}

std::optional<message> postgres_queries::newest_message(const std::string& conversation_id) {
    auto page = list_messages(conversation_id, message_query{.limit = 0});
    if (page.empty()) return std::nullopt;
    return std::move(page.front());
}

conversation_page postgres_queries::list_conversations(const std::string& user_id,
                                                       const conversation_filter& filter, int offset,
                                                       int limit) {
    conversation_page page;
    params filter_params;
    filter_params.add(user_id).add(filter.archived);
    if (filter.type)
        filter_params.add(to_text(*filter.type));
    else
        filter_params.add_null();
    page.total = db_.query(sql_count_conversations, filter_params).int_at(0, 0);
    params page_params = filter_params;
    page_params.add(non_negative(offset)).add(non_negative(limit));
    const result r = db_.query(sql_list_conversations, page_params);
    std::vector<std::string> ids;
    constexpr int unread_column = conversation_column_count;
    constexpr int message_column = conversation_column_count + 1;
    for (int i = 0; i < r.rows(); ++i) {
        conversation_summary item;
        item.conversation = read_conversation(r, i, 0);
        item.unread_count = r.int_at(i, unread_column);
        if (!r.is_null(i, message_column)) item.last_message = read_message(r, i, message_column);
        ids.push_back(item.conversation.id);
        page.items.push_back(std::move(item));
    }
    if (ids.empty()) return page;
    const result parts = db_.query(sql_participants_of_many, params{}.add(text_array(ids)));
    std::map<std::string, std::vector<participant>, std::less<>> by_conversation;
    for (int i = 0; i < parts.rows(); ++i) by_conversation[parts.text_at(i, 9)].push_back(read_participant(parts, i));
    for (auto& item : page.items) {
        auto it = by_conversation.find(item.conversation.id);
        if (it != by_conversation.end()) item.conversation.participants = std::move(it->second);
    }
    return page;
}

std::vector<std::string> postgres_queries::conversation_ids_of(const std::string& user_id) {
    const result r = db_.query(sql_conversation_ids_of, params{}.add(user_id));
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(r.text_at(i, 0));
    return out;
}

std::optional<join_state> postgres_queries::join_state_of(const std::string& conversation_id,
                                                          const std::string& user_id) {
    const result r = db_.query(sql_join_state, params{}.add(conversation_id).add(user_id));
    if (r.rows() == 0) return std::nullopt;
    return join_state{r.int_at(0, 0), r.int_at(0, 1), r.int_at(0, 2)};
}

// ---------------------------------------------------------------- transaction

void postgres_queries::insert_conversation(const conversation& c) {
    db_.query(sql_insert_conversation, params{}
                                           .add(c.id)
                                           .add(to_text(c.type))
                                           .add(c.title)
                                           .add(c.consultation_id)
                                           .add(c.settings.allow_file_upload)
                                           .add(c.settings.max_file_size)
                                           .add(encode_strings(c.settings.allowed_file_types))
                                           .add(c.settings.auto_archive)
                                           .add(c.settings.retention_days)
                                           .add(c.archived)
                                           .add(c.archived_at)
                                           .add(c.created_by)
                                           .add(c.created_at)
                                           .add(c.last_seq)
                                           .add(c.last_change_seq)
                                           .add(c.updated_at));
    for (const participant& p : c.participants)
        db_.query(sql_insert_participant, params{}
                                              .add(c.id)
                                              .add(p.user_id)
                                              .add(to_text(p.role))
                                              .add(p.joined_at)
                                              .add(p.left_at)
                                              .add(encode_strings(p.permissions))
                                              .add(p.read_up_to_seq)
                                              .add(p.delivered_up_to_seq));
}

void postgres_queries::update_conversation(const conversation& c) {
    const result r = db_.query(sql_update_conversation, params{}
                                                            .add(c.id)
                                                            .add(c.title)
                                                            .add(c.settings.allow_file_upload)
                                                            .add(c.settings.max_file_size)
                                                            .add(encode_strings(c.settings.allowed_file_types))
                                                            .add(c.settings.auto_archive)
                                                            .add(c.settings.retention_days)
                                                            .add(c.archived)
                                                            .add(c.archived_at)
                                                            .add(c.updated_at));
    if (r.affected() == 0) no_such("update_conversation", "conversation", c.id);
}

void postgres_queries::upsert_participant(const std::string& conversation_id, const participant& p) {
    db_.query(sql_upsert_participant, params{}
                                          .add(conversation_id)
                                          .add(p.user_id)
                                          .add(to_text(p.role))
                                          .add(p.joined_at)
                                          .add(encode_strings(p.permissions))
                                          .add(p.read_up_to_seq)
                                          .add(p.delivered_up_to_seq));
}

void postgres_queries::set_participant_hidden(const std::string& conversation_id, const std::string& user_id,
                                              std::optional<std::int64_t> up_to_seq) {
    db_.query(sql_set_participant_hidden, params{}.add(conversation_id).add(user_id).add(up_to_seq));
}

void postgres_queries::set_participant_left(const std::string& conversation_id, const std::string& user_id,
                                            unix_ms left_at) {
    db_.query(sql_set_participant_left, params{}.add(conversation_id).add(user_id).add(left_at));
}

std::int64_t postgres_queries::next_change_seq(const std::string& conversation_id) {
    const result r = db_.query(sql_next_change_seq, params{}.add(conversation_id));
    if (r.empty()) no_such("next_change_seq", "conversation", conversation_id);
    return r.int_at(0, 0);
}

}  // namespace writeen::store::postgres

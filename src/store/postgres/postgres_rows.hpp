#pragma once
// Internal to the PostgreSQL engine's queries (postgres_*.cpp): the column lists that several
// of them select, the readers of those rows, and the small helpers they share.
//
// Schema conventions (src/store/postgres/migrations/), the same as the SQLite schema's so the
// row readers are shared in spirit: ids and enumerations text, times bigint milliseconds since
// the epoch, counters bigint, flags boolean, JSON lists text (written and read whole). Query
// parameters are sent as text: params::add(bool) sends 't'/'f', so flags must be boolean.
// append_message relies on messages_by_client_id being the unique index
// (sender_id, client_message_id) WHERE client_message_id <> '' (its ON CONFLICT infers it).

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "model/types.hpp"

namespace writeen::store::postgres {

class result;

// Macros only so that each statement stays one string literal: the literal's address is its
// key in the connection's prepared statements.
#define WRITEEN_PG_MESSAGE_COLUMNS                                                                     \
    "m.id, m.conversation_id, m.seq, m.sender_id, m.type, m.content_json, m.search_text, m.reply_to, " \
    "m.reply_count, m.reactions, m.edit_history, m.edited, m.client_message_id, m.consultation_id, "   \
    "m.session_id, m.created_at, m.updated_at, m.deleted_at, m.created_change_seq, m.change_seq, "     \
    "coalesce(u.name, ''), coalesce(u.avatar, '')"
#define WRITEEN_PG_MESSAGES_WITH_SENDER " FROM messages m LEFT JOIN users u ON u.id = m.sender_id "
#define WRITEEN_PG_CONVERSATION_COLUMNS                                                                 \
    "c.id, c.type, c.title, c.consultation_id, c.allow_file_upload, c.max_file_size, "                  \
    "c.allowed_file_types, c.auto_archive, c.retention_days, c.archived, c.archived_at, c.created_by, " \
    "k.last_seq, k.last_change_seq, c.created_at, k.updated_at, c.open_session_id"
#define WRITEEN_PG_CONVERSATIONS_WITH_COUNTERS \
    " conversations c JOIN conversation_counters k ON k.conversation_id = c.id "

/// Columns in WRITEEN_PG_MESSAGE_COLUMNS.
constexpr int message_column_count = 22;
/// Columns in WRITEEN_PG_CONVERSATION_COLUMNS.
constexpr int conversation_column_count = 17;

/// cursor_marks.kind of the read and delivered cursors.
constexpr const char* read_kind = "read";
constexpr const char* delivered_kind = "delivered";

/// A seq or time bound that excludes nothing.
constexpr std::int64_t no_bound = std::numeric_limits<std::int64_t>::max();

/// limit + 1 rows let callers tell whether there is a next page.
inline std::int64_t page_rows(int limit) { return static_cast<std::int64_t>(std::max(limit, 0)) + 1; }
/// An offset or limit from the caller, negative values read as 0.
inline std::int64_t non_negative(int value) { return std::max(value, 0); }

/// A text[] literal ({"a","b"}) for `= ANY($n::text[])`: one statement for many ids.
std::string text_array(const std::vector<std::string>& values);

/// The message whose WRITEEN_PG_MESSAGE_COLUMNS start at column c of row `row`.
message read_message(const result& r, int row, int c);
/// The conversation (without participants) whose WRITEEN_PG_CONVERSATION_COLUMNS start at c.
conversation read_conversation(const result& r, int row, int c);

/// Throws std::invalid_argument: operation was given the id of a row that does not exist.
[[noreturn]] void no_such(const char* operation, const char* what, const std::string& id);

}  // namespace writeen::store::postgres

#include "store/postgres/postgres_rows.hpp"

#include <stdexcept>

#include "store/postgres/pg_connection.hpp"
#include "store/sqlite/column_codec.hpp"

namespace writeen::store::postgres {

// Enumerations and JSON lists are spelled as in the SQLite schema, so the codec is shared.
using sqlite::conversation_type_from_text;
using sqlite::decode_edit_history;
using sqlite::decode_reactions;
using sqlite::decode_strings;
using sqlite::message_type_from_text;

message read_message(const result& r, int row, int c) {
    message m;
    m.id = r.text_at(row, c + 0);
    m.conversation_id = r.text_at(row, c + 1);
    m.seq = r.int_at(row, c + 2);
    m.sender_id = r.text_at(row, c + 3);
    m.type = message_type_from_text(r.text_view_at(row, c + 4));
    m.content_json = r.text_at(row, c + 5);
    m.search_text = r.text_at(row, c + 6);
    m.reply_to = r.text_at(row, c + 7);
    m.reply_count = r.int_at(row, c + 8);
    m.reactions = decode_reactions(r.text_view_at(row, c + 9));
    m.edit_history = decode_edit_history(r.text_view_at(row, c + 10));
    m.edited = r.bool_at(row, c + 11);
    m.client_message_id = r.text_at(row, c + 12);
    m.consultation_id = r.text_at(row, c + 13);
    m.session_id = r.text_at(row, c + 14);
    m.created_at = r.int_at(row, c + 15);
    m.updated_at = r.int_at(row, c + 16);
    m.deleted_at = r.optional_int_at(row, c + 17);
    m.created_change_seq = r.int_at(row, c + 18);
    m.change_seq = r.int_at(row, c + 19);
    m.sender_name = r.text_at(row, c + 20);
    m.sender_avatar = r.text_at(row, c + 21);
    return m;
}

conversation read_conversation(const result& r, int row, int c) {
    conversation out;
    out.id = r.text_at(row, c + 0);
    out.type = conversation_type_from_text(r.text_view_at(row, c + 1));
    out.title = r.text_at(row, c + 2);
    out.consultation_id = r.text_at(row, c + 3);
    out.settings.allow_file_upload = r.bool_at(row, c + 4);
    out.settings.max_file_size = r.int_at(row, c + 5);
    out.settings.allowed_file_types = decode_strings(r.text_view_at(row, c + 6));
    out.settings.auto_archive = r.bool_at(row, c + 7);
    out.settings.retention_days = static_cast<int>(r.int_at(row, c + 8));
    out.archived = r.bool_at(row, c + 9);
    out.archived_at = r.optional_int_at(row, c + 10);
    out.created_by = r.text_at(row, c + 11);
    out.last_seq = r.int_at(row, c + 12);
    out.last_change_seq = r.int_at(row, c + 13);
    out.created_at = r.int_at(row, c + 14);
    out.updated_at = r.int_at(row, c + 15);
    out.open_session_id = r.text_at(row, c + 16);
    return out;
}

std::string text_array(const std::vector<std::string>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ',';
        out += '"';
        for (char ch : values[i]) {
            if (ch == '"' || ch == '\\') out += '\\';
            out += ch;
        }
        out += '"';
    }
    out += '}';
    return out;
}

[[noreturn]] void no_such(const char* operation, const char* what, const std::string& id) {
    throw std::invalid_argument(std::string{operation} + ": no " + what + " '" + id + "'");
}

}  // namespace writeen::store::postgres

#include "store/sqlite/sqlite_rows.hpp"

#include <stdexcept>

#include "store/sqlite/column_codec.hpp"
#include "store/sqlite/connection.hpp"

namespace writeen::store::sqlite {

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
    out.open_session_id = q.text_at(c + 16);
    return out;
}

[[noreturn]] void no_such(const char* operation, const char* what, const std::string& id) {
    throw std::invalid_argument(std::string{operation} + ": no " + what + " '" + id + "'");
}

}  // namespace writeen::store::sqlite

#pragma once
// How domain values are spelled in SQLite columns: enumerations as their API text, lists as
// JSON arrays with the API's camelCase keys. Decoding throws store::unavailable when a column
// holds something the store never writes (a damaged database).

#include <string>
#include <string_view>
#include <vector>

#include "model/types.hpp"

namespace writeen::store::sqlite {

/// 'student', 'tutor', 'admin', 'service'.
std::string_view to_text(role value);
/// 'direct', 'consultation', 'group'.
std::string_view to_text(conversation_type value);
/// 'text', 'file', 'image', 'system', 'sticker'.
std::string_view to_text(message_type value);

/// The inverse of to_text for each enumeration.
role role_from_text(std::string_view text);
conversation_type conversation_type_from_text(std::string_view text);
message_type message_type_from_text(std::string_view text);

/// ["a","b"]: permissions, allowed file types.
std::string encode_strings(const std::vector<std::string>& values);
std::vector<std::string> decode_strings(std::string_view json);

/// [{"userId":..,"emoji":..,"addedAt":ms}]
std::string encode_reactions(const std::vector<reaction>& values);
std::vector<reaction> decode_reactions(std::string_view json);

/// [{"editedAt":ms,"previousText":..,"editedBy":..}]
std::string encode_edit_history(const std::vector<edit_record>& values);
std::vector<edit_record> decode_edit_history(std::string_view json);

}  // namespace writeen::store::sqlite

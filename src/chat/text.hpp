#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace writeen::chat {

/// s without leading and trailing Unicode-agnostic ASCII white space.
std::string_view trim(std::string_view s);
/// Number of code points in valid UTF-8 text.
std::size_t code_points(std::string_view utf8);
/// True for a user id: 1..128 bytes, no control characters.
bool valid_user_id(std::string_view id);
/// s with ASCII letters lower-cased and every other byte kept (what SQLite's lower() does).
std::string ascii_lower(std::string_view s);

}  // namespace writeen::chat

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
/// True when `emoji` is one emoji grapheme cluster of at most 32 bytes: a base character
/// followed only by variation selectors, skin-tone modifiers, a keycap mark, tag characters,
/// or zero-width-joined further emoji; or a pair of regional indicators (a flag).
bool valid_emoji(std::string_view emoji);

}  // namespace writeen::chat

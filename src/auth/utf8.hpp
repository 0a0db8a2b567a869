#pragma once
// Strict UTF-8 reading for text that comes from tokens and headers.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace writeen::auth {

/// Reads one code point of `text` at `pos` and advances `pos` past it; nullopt (pos unchanged)
/// on a malformed, overlong or surrogate sequence, or at the end of `text`.
std::optional<char32_t> read_utf8(std::string_view text, std::size_t& pos);

/// Appends `cp` (at most U+10FFFF, not a surrogate) to `out` as UTF-8.
void append_utf8(std::string& out, char32_t cp);

/// The number of code points in `text`, or nullopt when it is not valid UTF-8.
std::optional<std::size_t> utf8_length(std::string_view text);

}  // namespace writeen::auth

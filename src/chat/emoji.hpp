#pragma once
// What a reaction may be: exactly one emoji (UTS #51), never text that merely renders as one
// grapheme cluster (a letter, U+202E, a joiner between letters).

#include <string_view>

namespace writeen::chat {

/// True when `emoji` (UTF-8) is one emoji of at most 32 bytes: a flag (two regional indicators),
/// a keycap (`0`-`9`, `#`, `*`, optional U+FE0F, U+20E3), or emoji joined by U+200D, each an
/// Emoji code point optionally followed by U+FE0F (VS16), a skin-tone modifier (after a
/// modifier base) or a tag sequence (after U+1F3F4, ending with U+E007F).
bool valid_emoji(std::string_view emoji);

}  // namespace writeen::chat

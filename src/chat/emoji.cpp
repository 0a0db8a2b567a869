#include "chat/emoji.hpp"

#include <cstddef>
#include <optional>
#include <vector>

#include "chat/emoji_data.hpp"

namespace writeen::chat {
namespace {

constexpr char32_t zwj = 0x200D;
constexpr char32_t vs16 = 0xFE0F;
constexpr char32_t keycap_mark = 0x20E3;
constexpr char32_t black_flag = 0x1F3F4;
constexpr char32_t cancel_tag = 0xE007F;

/// Decodes strictly valid UTF-8; nullopt for anything else (the validator never guesses).
std::optional<std::vector<char32_t>> decode(std::string_view s) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < s.size();) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        char32_t cp = 0, min = 0;
        if (b0 < 0x80) len = 1, cp = b0;
        else if ((b0 & 0xE0) == 0xC0) len = 2, cp = b0 & 0x1F, min = 0x80;
        else if ((b0 & 0xF0) == 0xE0) len = 3, cp = b0 & 0x0F, min = 0x800;
        else if ((b0 & 0xF8) == 0xF0) len = 4, cp = b0 & 0x07, min = 0x10000;
        else return std::nullopt;
        if (i + len > s.size()) return std::nullopt;
        for (std::size_t k = 1; k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0) != 0x80) return std::nullopt;
            cp = (cp << 6) | (b & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
        out.push_back(cp);
        i += len;
    }
    return out;
}

bool is_regional_indicator(char32_t c) { return c >= 0x1F1E6 && c <= 0x1F1FF; }
bool is_skin_tone(char32_t c) { return c >= 0x1F3FB && c <= 0x1F3FF; }
bool is_tag(char32_t c) { return c >= 0xE0020 && c <= 0xE007E; }
bool is_keycap_base(char32_t c) { return (c >= '0' && c <= '9') || c == '#' || c == '*'; }

/// An emoji that can start an element of a ZWJ sequence: Emoji, but not the ASCII keycap
/// bases (text unless followed by U+20E3) nor a regional indicator (only in pairs, as a flag).
bool is_element_base(char32_t c) {
    return c >= 0x80 && !is_regional_indicator(c) && emoji_data::contains(emoji_data::emoji(), c);
}

/// Reads one element (base and what may follow it) at cps[i]; returns the index after it, or
/// nullopt when no valid element starts there.
std::optional<std::size_t> element(const std::vector<char32_t>& cps, std::size_t i) {
    if (i >= cps.size() || !is_element_base(cps[i])) return std::nullopt;
    const char32_t base = cps[i++];
    if (i < cps.size() && is_skin_tone(cps[i]) && !is_skin_tone(base)) {
        if (!emoji_data::contains(emoji_data::emoji_modifier_base(), base)) return std::nullopt;
        ++i;
    } else if (i < cps.size() && cps[i] == vs16) {
        ++i;
    }
    if (base == black_flag && i < cps.size() && is_tag(cps[i])) {
        while (i < cps.size() && is_tag(cps[i])) ++i;
        if (i >= cps.size() || cps[i] != cancel_tag) return std::nullopt;
        ++i;
    }
    return i;
}

}  // namespace

bool valid_emoji(std::string_view emoji) {
    if (emoji.empty() || emoji.size() > 32) return false;
    const auto decoded = decode(emoji);
    if (!decoded || decoded->empty()) return false;
    const std::vector<char32_t>& cps = *decoded;
    if (is_regional_indicator(cps[0])) return cps.size() == 2 && is_regional_indicator(cps[1]);
    if (is_keycap_base(cps[0])) {
        return (cps.size() == 2 && cps[1] == keycap_mark) ||
               (cps.size() == 3 && cps[1] == vs16 && cps[2] == keycap_mark);
    }
    std::size_t i = 0;
    for (;;) {
        auto next = element(cps, i);
        if (!next) return false;
        i = *next;
        if (i == cps.size()) return true;
        if (cps[i] != zwj) return false;
        ++i;
    }
}

}  // namespace writeen::chat

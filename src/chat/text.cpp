#include "chat/text.hpp"

#include <vector>

namespace writeen::chat {
namespace {

/// Decodes valid UTF-8 (the JSON parser has already rejected invalid sequences).
std::vector<char32_t> decode(std::string_view s) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        int extra = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
        char32_t cp = extra == 0 ? c : extra == 1 ? (c & 0x1F) : extra == 2 ? (c & 0x0F) : (c & 0x07);
        if (i + extra >= s.size()) break;  // truncated sequence
        for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        out.push_back(cp);
        i += 1 + extra;
    }
    return out;
}

bool is_regional_indicator(char32_t c) { return c >= 0x1F1E6 && c <= 0x1F1FF; }
bool is_modifier(char32_t c) {
    return c == 0xFE0E || c == 0xFE0F || (c >= 0x1F3FB && c <= 0x1F3FF) || c == 0x20E3 ||
           (c >= 0xE0020 && c <= 0xE007F);
}
bool is_base(char32_t c) {
    if (c < 0x20 || c == 0x7F || c == 0x200D || is_modifier(c)) return false;
    if (c == ' ' || (c >= 0x2000 && c <= 0x200F) || (c >= 0x0300 && c <= 0x036F)) return false;
    return true;
}

}  // namespace

std::string_view trim(std::string_view s) {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

std::size_t code_points(std::string_view utf8) {
    std::size_t n = 0;
    for (char c : utf8)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

bool valid_user_id(std::string_view id) {
    if (id.empty() || id.size() > 128) return false;
    for (char c : id)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
    return true;
}

bool valid_emoji(std::string_view emoji) {
    if (emoji.empty() || emoji.size() > 32) return false;
    const auto cps = decode(emoji);
    if (cps.empty() || !is_base(cps[0])) return false;
    // Plain ASCII letters and digits are text, not emoji (digits only as keycaps).
    if (cps[0] < 0x80 && cps.size() == 1) return false;
    if (is_regional_indicator(cps[0])) return cps.size() == 2 && is_regional_indicator(cps[1]);
    for (std::size_t i = 1; i < cps.size(); ++i) {
        if (is_modifier(cps[i])) continue;
        if (cps[i] == 0x200D && i + 1 < cps.size() && is_base(cps[i + 1]) && cps[i + 1] >= 0x80) {
            ++i;
            continue;
        }
        return false;
    }
    return true;
}

}  // namespace writeen::chat

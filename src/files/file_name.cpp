#include "files/file_name.hpp"

#include <cstdint>

namespace writeen::files {
namespace {

// Decodes one UTF-8 code point at s[i]; returns its length, or 0 for an invalid sequence
// (overlong forms, surrogates and values above U+10FFFF included).
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    char32_t min = 0;
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    } else if ((b0 & 0xE0) == 0xC0) {
        len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

bool is_removed(char32_t cp) {
    if (cp < 0x20 || cp == 0x7F) return true;          // C0 controls and DEL
    if (cp >= 0x80 && cp <= 0x9F) return true;         // C1 controls
    // Bidirectional overrides and isolates let "invoice\u202Efdp.exe" display as "invoice
    // exe.pdf"; they have no place in a file name shown to other users.
    if (cp >= 0x202A && cp <= 0x202E) return true;
    if (cp >= 0x2066 && cp <= 0x2069) return true;
    if (cp == 0x200E || cp == 0x200F || cp == 0xFEFF) return true;
    return false;
}

// Cuts s to at most max bytes without splitting a UTF-8 sequence (s is valid UTF-8).
std::string_view utf8_prefix(std::string_view s, std::size_t max) {
    if (s.size() <= max) return s;
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return s.substr(0, cut);
}

bool is_attr_char(unsigned char c) {
    // RFC 5987 attr-char.
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
        case '!': case '#': case '$': case '&': case '+': case '-': case '.':
        case '^': case '_': case '`': case '|': case '~':
            return true;
        default:
            return false;
    }
}

}  // namespace

std::optional<file_name> file_name::sanitize(std::string_view original) {
    // Only the last component is kept, so `..` or a drive letter earlier in the name can never
    // reach a path: the stored name is server-made and this one is metadata (API.md).
    const std::size_t slash = original.find_last_of("/\\");
    if (slash != std::string_view::npos) original.remove_prefix(slash + 1);

    std::string clean;
    clean.reserve(original.size());
    for (std::size_t i = 0; i < original.size();) {
        char32_t cp = 0;
        const std::size_t len = decode_utf8(original, i, cp);
        if (len == 0) {
            clean += "\xEF\xBF\xBD";  // U+FFFD keeps the position of an undecodable byte visible
            ++i;
            continue;
        }
        if (!is_removed(cp)) clean.append(original.substr(i, len));
        i += len;
    }

    std::string_view trimmed = clean;
    while (!trimmed.empty() && trimmed.front() == ' ') trimmed.remove_prefix(1);
    while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
    // Only dots (`.`, `..`, `...`) name no file on any system and read as a path step; a name
    // that merely contains dots (`..pdf`, `v1..2.pdf`) is an ordinary name and is kept.
    if (trimmed.find_first_not_of('.') == std::string_view::npos) return std::nullopt;

    if (trimmed.size() <= max_bytes) return file_name(std::string(trimmed));

    // Too long: shorten the stem, keep a reasonable extension so the type stays recognisable.
    const std::string ext = [&] {
        const std::size_t dot = trimmed.rfind('.');
        if (dot == std::string_view::npos || dot == 0 || trimmed.size() - dot > 16) return std::string();
        return std::string(trimmed.substr(dot));
    }();
    const std::string_view stem = utf8_prefix(trimmed.substr(0, trimmed.size() - ext.size()), max_bytes - ext.size());
    return file_name(std::string(stem) + ext);
}

std::string file_name::extension() const { return extension_of(value_); }

std::string file_name::content_disposition() const {
    std::string fallback;
    std::string encoded;
    static constexpr char hex[] = "0123456789ABCDEF";
    for (std::size_t i = 0; i < value_.size();) {
        char32_t cp = 0;
        const std::size_t len = decode_utf8(value_, i, cp);
        // Quote and backslash would end or escape the quoted-string; non-ASCII is not allowed
        // in it. One '_' per code point keeps the fallback's length close to the name's.
        if (cp < 0x80 && cp != '"' && cp != '\\') {
            fallback.push_back(static_cast<char>(cp));
        } else {
            fallback.push_back('_');
        }
        for (std::size_t k = 0; k < len; ++k) {
            const auto c = static_cast<unsigned char>(value_[i + k]);
            if (is_attr_char(c)) {
                encoded.push_back(static_cast<char>(c));
            } else {
                encoded.push_back('%');
                encoded.push_back(hex[c >> 4]);
                encoded.push_back(hex[c & 0x0F]);
            }
        }
        i += len == 0 ? 1 : len;
    }
    return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + encoded;
}

std::string extension_of(std::string_view name) {
    const std::size_t slash = name.find_last_of("/\\");
    if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
    const std::size_t dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size()) return {};
    std::string ext(name.substr(dot));
    for (char& c : ext) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return ext;
}

}  // namespace writeen::files

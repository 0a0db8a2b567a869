#include "store/sqlite/fts_query.hpp"

namespace writeen::store::sqlite {
namespace {

// Whitespace and control characters separate words; everything else belongs to one.
bool separates_words(unsigned char c) { return c <= 0x20 || c == 0x7f; }

// Whether a word can yield at least one unicode61 token. Non-ASCII bytes are assumed to be
// letters: a word of only non-ASCII punctuation becomes an empty phrase, which FTS5 ignores.
bool has_token_character(std::string_view word) {
    for (const char ch : word) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            return true;
    }
    return false;
}

}  // namespace

std::string to_match_expression(std::string_view user_text) {
    std::string expression;
    std::size_t terms = 0;
    std::size_t i = 0;
    while (i < user_text.size() && terms < max_query_terms) {
        while (i < user_text.size() && separates_words(static_cast<unsigned char>(user_text[i]))) ++i;
        const std::size_t start = i;
        while (i < user_text.size() && !separates_words(static_cast<unsigned char>(user_text[i]))) ++i;
        const std::string_view word = user_text.substr(start, i - start);
        if (word.empty() || !has_token_character(word)) continue;

        if (!expression.empty()) expression.push_back(' ');
        // Inside an FTS5 string only '"' is special, and it is escaped by doubling.
        expression.push_back('"');
        for (const char c : word) {
            if (c == '"') expression.push_back('"');
            expression.push_back(c);
        }
        // Prefix match: Indonesian adds suffixes to words (skripsi → skripsinya), and it lets a
        // query typed so far find what is being typed. Not for a single letter or digit ("bab 2"),
        // which would match a large part of the index.
        expression.push_back('"');
        if (word.size() > 1) expression.push_back('*');
        ++terms;
    }
    return expression;
}

highlighted_text strip_highlight_markers(std::string_view marked) {
    highlighted_text out;
    out.text.reserve(marked.size());
    int units = 0;
    int open_at = -1;
    for (const char ch : marked) {
        if (ch == highlight_open) {
            open_at = units;
            continue;
        }
        if (ch == highlight_close) {
            if (open_at >= 0 && units > open_at) out.matches.emplace_back(open_at, units - open_at);
            open_at = -1;
            continue;
        }
        out.text.push_back(ch);
        const auto c = static_cast<unsigned char>(ch);
        // Count at each lead byte: one unit per code point, one more for four-byte sequences
        // (surrogate pairs). A stray continuation byte adds nothing.
        if ((c & 0xc0) != 0x80) units += (c >= 0xf0) ? 2 : 1;
    }
    return out;
}

int utf16_length(std::string_view utf8) {
    int units = 0;
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c & 0xc0) != 0x80) units += (c >= 0xf0) ? 2 : 1;
    }
    return units;
}

}  // namespace writeen::store::sqlite

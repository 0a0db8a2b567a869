#pragma once
// What full-text search needs around FTS5: a MATCH expression that user text cannot break,
// and highlight ranges in the unit clients index strings by (UTF-16 code units).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace writeen::store::sqlite {

/// Markers given to FTS5 snippet() around each match; control characters that chat text
/// does not carry, removed again by strip_highlight_markers.
inline constexpr char highlight_open = '\x01';
inline constexpr char highlight_close = '\x02';

/// Most words of a query that are searched; the rest is ignored (bounds the work per query).
inline constexpr std::size_t max_query_terms = 16;

/// An FTS5 MATCH expression for what a user typed: every word becomes a quoted phrase, a prefix
/// phrase when longer than one byte ("revisi"* — FTS5 operators, quotes, brackets and stars lose
/// their meaning), and all words must match. Empty when the text has nothing searchable (then no
/// query should run).
std::string to_match_expression(std::string_view user_text);

/// A fragment without markers, and where the marked ranges are in it.
struct highlighted_text {
    std::string text;
    std::vector<std::pair<int, int>> matches;  // [start, length] in UTF-16 code units of text
};

/// Removes the highlight markers from a snippet() fragment and records the ranges they
/// enclosed.
highlighted_text strip_highlight_markers(std::string_view marked);

/// The length of UTF-8 text in UTF-16 code units (code points above U+FFFF count 2).
int utf16_length(std::string_view utf8);

}  // namespace writeen::store::sqlite

// Full-text search in the PostgreSQL engine: the messages.search_vector column and its index
// (migration 007_search.sql), a tsquery built from what the user typed, and highlighted fragments
// with the same markers, ranges and ellipses as the SQLite engine's snippet().
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/postgres/pg_connection.hpp"
#include "store/postgres/postgres_queries.hpp"
#include "store/postgres/postgres_rows.hpp"
#include "store/sqlite/fts_query.hpp"

namespace writeen::store::postgres {
namespace {

using sqlite::highlight_close;
using sqlite::highlight_open;
using sqlite::max_query_terms;
using sqlite::strip_highlight_markers;

// Search ranks the newest matches, not all of them (docs/API-NOTES.md, "Search"), as the SQLite
// engine does: ts_rank reads each match's whole tsvector, so ranking every match of a common word
// grew with the history.
constexpr int ranked_matches = 200;

// A page of results: the newest `ranked` matches best first (ts_rank, higher is better; among
// equals newest first, so pages are stable), then, for pages that reach further, the older
// matches newest first. The caller's conversations come first (participants), then the index per
// conversation (messages_search in 007_search.sql); at most `wanted` matches are read, newest
// first. ts_headline runs only for the page's rows: it marks matches in the original text (the
// configuration unaccents only to compare); 16 words as FTS5's snippet(..., 16).
// Parameters: $1 tsquery text, $2 user, $3 offset, $4 limit, $5 headline options, then
// [conversation] wanted ranked as numbered by each statement.
#define WRITEEN_PG_SEARCH_PAGE(conversation_filter, wanted, ranked)                                      \
    "WITH q AS (SELECT to_tsquery('writeen_search', $1) AS q), "                                          \
    "newest AS (SELECT hit.row_id, ts_rank(hit.search_vector, q.q) AS score, "                            \
    "row_number() OVER (ORDER BY hit.row_id DESC) AS n FROM q, ("                                         \
    "SELECT m.row_id, m.search_vector FROM q CROSS JOIN participants p "                                  \
    "JOIN messages m ON m.conversation_id = p.conversation_id "                                           \
    "WHERE p.user_id = $2 " conversation_filter " AND m.search_vector @@ q.q AND m.deleted_at IS NULL "   \
    "ORDER BY m.row_id DESC LIMIT " wanted ") hit), "                                                     \
    "page AS (SELECT row_id, n, score FROM newest "                                                       \
    "ORDER BY n > " ranked ", CASE WHEN n <= " ranked " THEN score END DESC, row_id DESC "               \
    "LIMIT $4 OFFSET $3) "                                                                                \
    "SELECT " WRITEEN_PG_MESSAGE_COLUMNS ", ts_headline('writeen_search', m.search_text, q.q, $5) "       \
    "FROM q CROSS JOIN page JOIN messages m ON m.row_id = page.row_id "                                   \
    "LEFT JOIN users u ON u.id = m.sender_id "                                                            \
    "ORDER BY page.n > " ranked ", CASE WHEN page.n <= " ranked " THEN page.score END DESC, m.row_id DESC"

constexpr const char* sql_search_all = WRITEEN_PG_SEARCH_PAGE("", "$6", "$7");
constexpr const char* sql_search_one = WRITEEN_PG_SEARCH_PAGE("AND p.conversation_id = $6", "$7", "$8");

#undef WRITEEN_PG_SEARCH_PAGE

const std::string headline_options = std::string{"StartSel="} + highlight_open + ", StopSel=" + highlight_close +
                                     ", MaxWords=16, MinWords=8, ShortWord=0, HighlightAll=false";

bool separates_words(unsigned char c) { return c <= 0x20 || c == 0x7f; }

bool has_token_character(std::string_view word) {
    for (const char ch : word) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    }
    return false;
}

/// A to_tsquery text for what a user typed, with the meaning of the SQLite engine's MATCH
/// expression (sqlite::to_match_expression): every word quoted (operators, quotes and brackets
/// lose their meaning), a prefix match when longer than one byte, all words required, at most
/// max_query_terms words. Empty when nothing is searchable.
std::string to_tsquery_text(std::string_view user_text) {
    std::string out;
    std::size_t terms = 0;
    std::size_t i = 0;
    while (i < user_text.size() && terms < max_query_terms) {
        while (i < user_text.size() && separates_words(static_cast<unsigned char>(user_text[i]))) ++i;
        const std::size_t start = i;
        while (i < user_text.size() && !separates_words(static_cast<unsigned char>(user_text[i]))) ++i;
        const std::string_view word = user_text.substr(start, i - start);
        if (word.empty() || !has_token_character(word)) continue;
        if (!out.empty()) out += " & ";
        // Inside a quoted tsquery lexeme ' is doubled and \ escapes.
        out += '\'';
        for (const char c : word) {
            if (c == '\'' || c == '\\') out += c == '\'' ? '\'' : '\\';
            out += c;
        }
        out += '\'';
        if (word.size() > 1) out += ":*";
        ++terms;
    }
    return out;
}

}  // namespace

std::vector<search_hit> postgres_queries::search(const std::string& user_id,
                                                 const std::optional<std::string>& conversation_id,
                                                 const std::string& text, int offset, int limit) {
    std::vector<search_hit> out;
    const std::string expression = to_tsquery_text(text);
    if (expression.empty() || limit <= 0) return out;
    const std::int64_t first = non_negative(offset);
    const std::int64_t wanted = std::max<std::int64_t>(ranked_matches, first + limit);
    params p;
    p.add(expression).add(user_id).add(first).add(limit).add(headline_options);
    if (conversation_id) p.add(*conversation_id);
    p.add(wanted).add(std::int64_t{ranked_matches});
    const result r = db_.query(conversation_id ? sql_search_one : sql_search_all, p);
    for (int i = 0; i < r.rows(); ++i) {
        search_hit hit;
        hit.msg = read_message(r, i, 0);
        auto fragment = strip_highlight_markers(r.text_view_at(i, message_column_count));
        // ts_headline cuts without saying so; FTS5 marks a cut with '…' at that end.
        const std::string& whole = hit.msg.search_text;
        const auto at = whole.find(fragment.text);
        if (at != std::string::npos && !fragment.text.empty()) {
            const bool cut_before = at > 0;
            const bool cut_after = at + fragment.text.size() < whole.size();
            if (cut_before) {
                fragment.text.insert(0, "…");
                for (auto& m : fragment.matches) m.first += 1;
            }
            if (cut_after) fragment.text += "…";
        }
        hit.fragment = std::move(fragment.text);
        hit.matches = std::move(fragment.matches);
        out.push_back(std::move(hit));
    }
    return out;
}

}  // namespace writeen::store::postgres

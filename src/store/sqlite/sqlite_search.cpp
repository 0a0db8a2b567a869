// Full-text search in the SQLite engine: queries over messages_fts, and the indexing of new
// messages once per batch (see search_index_state in 001_init.sql).
#include <algorithm>

#include "store/sqlite/connection.hpp"
#include "store/sqlite/fts_query.hpp"
#include "store/sqlite/sqlite_queries.hpp"
#include "store/sqlite/sqlite_rows.hpp"

namespace writeen::store::sqlite {
namespace {

// Search ranks the newest matches, not all of them (docs/API-NOTES.md, "Search"): FTS5 reads a
// doclist newest first and stops after this many (or after the page, when it reaches further),
// so a word in every other message costs what a rare one does. Ranking every match grew with the whole
// history: a common word over a million messages took half a second.
constexpr int ranked_matches = 200;

// Up to this many conversations are named in the MATCH expression itself ("words AND
// conversation_id: (a OR b ...)"): FTS5 then seeks through the words' doclists along the
// conversations' short ones. Beyond it the OR of many doclists costs more than it saves
// (500 conversations: 0.2–0.7 s at a million messages), and the user's conversations are
// instead checked row by row, newest match first, until enough are found.
constexpr std::size_t conversations_in_expression = 32;

// A page of results: the newest ?6 matches best first (among equally good ones newest first, so
// pages are stable), then, for pages that reach further, the older matches newest first. ?2 is
// how many matches are read: at least ?6, at most what the page needs. The inner SELECT reads
// them newest first and stops; writeen_rank (fts_rank.hpp) gives the conversation column no
// weight: it filters, it does not rank.
#define WRITEEN_RANKED_PAGE(newest_matches)                                                  \
    "SELECT r FROM (SELECT r, score, row_number() OVER (ORDER BY r DESC) AS n FROM (" newest_matches \
    ")) ORDER BY n > ?6, CASE WHEN n <= ?6 THEN score END, r DESC LIMIT ?4 OFFSET ?3"

// The expression names the conversations.
constexpr const char* sql_ranked_page = WRITEEN_RANKED_PAGE(
    "SELECT rowid AS r, writeen_rank(messages_fts) AS score FROM messages_fts "
    "WHERE messages_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2");

// Any of a user's conversations (those they left included: the history stays readable to
// them), checked against messages row by row.
constexpr const char* sql_ranked_page_of_user = WRITEEN_RANKED_PAGE(
    "SELECT messages_fts.rowid AS r, writeen_rank(messages_fts) AS score "
    "FROM messages_fts JOIN messages m ON m.row_id = messages_fts.rowid "
    "WHERE messages_fts MATCH ?1 "
    "AND m.conversation_id IN (SELECT conversation_id FROM participants WHERE user_id = ?5) "
    "ORDER BY messages_fts.rowid DESC LIMIT ?2");

#undef WRITEEN_RANKED_PAGE

// One result: the message and its highlighted fragment (snippet() needs the MATCH).
constexpr const char* sql_hit =
    "SELECT " WRITEEN_MESSAGE_COLUMNS ", snippet(messages_fts, 0, char(1), char(2), '…', 16) "
    "FROM messages_fts JOIN messages m ON m.row_id = messages_fts.rowid "
    "LEFT JOIN users u ON u.id = m.sender_id "
    "WHERE messages_fts MATCH ?1 AND messages_fts.rowid = ?2 AND m.deleted_at IS NULL";

constexpr const char* sql_conversations_of_user = "SELECT conversation_id FROM participants WHERE user_id = ?1";
constexpr const char* sql_is_participant =
    "SELECT 1 FROM participants WHERE conversation_id = ?1 AND user_id = ?2";

// See search_index_state in 001_init.sql.
constexpr const char* sql_index_new_messages =
    "INSERT INTO messages_fts (rowid, search_text, conversation_id) "
    "SELECT row_id, search_text, conversation_id FROM messages "
    "WHERE row_id > (SELECT indexed_up_to FROM search_index_state) AND deleted_at IS NULL AND search_text <> "
    "''";
constexpr const char* sql_move_index_watermark =
    "UPDATE search_index_state SET indexed_up_to = (SELECT max(row_id) FROM messages) "
    "WHERE id = 1 AND (SELECT max(row_id) FROM messages) > indexed_up_to";

/// A quoted FTS5 string: only '"' is special inside, escaped by doubling.
void append_quoted(std::string& out, const std::string& text) {
    out.push_back('"');
    for (const char c : text) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

/// The words in the text column, and (when any are given) one of the conversations.
std::string scoped_expression(const std::string& words, const std::vector<std::string>& conversation_ids) {
    std::string out = "{search_text} : (" + words + ")";
    if (conversation_ids.empty()) return out;
    out += " AND {conversation_id} : (";
    for (std::size_t i = 0; i < conversation_ids.size(); ++i) {
        if (i) out += " OR ";
        append_quoted(out, conversation_ids[i]);
    }
    return out + ")";
}

}  // namespace

std::vector<search_hit> sqlite_queries::search(const std::string& user_id,
                                               const std::optional<std::string>& conversation_id,
                                               const std::string& text, int offset, int limit) {
    std::vector<search_hit> out;
    const std::string words = to_match_expression(text);
    if (words.empty() || limit <= 0) return out;
    offset = static_cast<int>(non_negative(offset));
    const std::int64_t wanted = std::max<std::int64_t>(ranked_matches, std::int64_t{offset} + limit);

    std::vector<std::string> conversations;
    if (conversation_id) {
        if (!db_.prepare(sql_is_participant).bind(1, *conversation_id).bind(2, user_id).step()) return out;
        conversations.push_back(*conversation_id);
    } else {
        auto q = db_.prepare(sql_conversations_of_user);
        q.bind(1, user_id);
        while (q.step()) conversations.emplace_back(q.text_view_at(0));
        if (conversations.empty()) return out;
    }

    // Which messages make the page, then each one's fragment: snippet() is worth running only
    // for the rows shown.
    std::vector<std::int64_t> page;
    std::string expression;
    {
        const bool named = conversations.size() <= conversations_in_expression;
        expression = scoped_expression(words, named ? conversations : std::vector<std::string>{});
        auto q = db_.prepare(named ? sql_ranked_page : sql_ranked_page_of_user);
        q.bind(1, expression).bind(2, wanted).bind(3, std::int64_t{offset}).bind(4, std::int64_t{limit});
        q.bind(6, std::int64_t{ranked_matches});
        if (!named) q.bind(5, user_id);
        while (q.step()) page.push_back(q.int_at(0));
    }
    for (const std::int64_t row_id : page) {
        auto q = db_.prepare(sql_hit);
        q.bind(1, expression).bind(2, row_id);
        if (!q.step()) continue;  // deleted meanwhile
        search_hit hit;
        hit.msg = read_message(q, 0);
        highlighted_text fragment = strip_highlight_markers(q.text_view_at(message_column_count));
        hit.fragment = std::move(fragment.text);
        hit.matches = std::move(fragment.matches);
        out.push_back(std::move(hit));
    }
    return out;
}

void sqlite_queries::index_new_messages() {
    db_.prepare(sql_index_new_messages).run();
    db_.prepare(sql_move_index_watermark).run();
}

}  // namespace writeen::store::sqlite

#pragma once
// The ranking function of full-text search, registered on every connection.

#include <sqlite3.h>

namespace writeen::store::sqlite {

/// Registers the FTS5 auxiliary function writeen_rank(messages_fts) on db: BM25 without the
/// inverse document frequency, lower is better (as bm25()). FTS5's bm25() counts, on every query,
/// the rows holding each phrase by walking its whole doclist: a common word over a million
/// messages cost 300 ms even when only a dozen rows were ranked. Every query word must match, so
/// weighing words by their rarity mattered little; how often they occur in a message, against
/// its length, still decides. Only column 0 (the text) counts. Throws store::unavailable when
/// FTS5 is missing.
void register_fts_rank(sqlite3* db);

}  // namespace writeen::store::sqlite

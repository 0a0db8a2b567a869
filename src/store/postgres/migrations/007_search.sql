-- Writeen Chat schema, version 7 (PostgreSQL engine): full-text search over messages.search_text,
-- matching the SQLite engine's FTS5 index (unicode61, remove_diacritics): words are lower-cased
-- and stripped of accents ("skripsi" finds "SKRIPSÍ"), with neither stemming nor stop words, so
-- Indonesian and English are searched alike. Queries match word prefixes (postgres_search.cpp).

CREATE EXTENSION IF NOT EXISTS unaccent;
-- A GIN index on (conversation_id, tsvector) needs the btree operator classes for text.
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- 'simple' (lower-case, every word kept) after unaccent. The parser's asciiword tokens carry no
-- accents and keep simple's mapping.
CREATE TEXT SEARCH CONFIGURATION writeen_search (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION writeen_search
    ALTER MAPPING FOR word, hword, hword_part WITH unaccent, simple;

-- Kept by PostgreSQL in step with search_text: to_tsvector with a fixed configuration is
-- immutable, so it can be a stored generated column (no trigger to forget).
ALTER TABLE messages ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('writeen_search'::regconfig, search_text)) STORED;

-- The search first takes the caller's conversations (participants) and then probes this index
-- once per conversation with (conversation_id, words): a user's search never scans the matches
-- in other people's conversations. Deleted messages are not searchable and not indexed.
CREATE INDEX messages_search ON messages USING gin (conversation_id, search_vector)
    WHERE deleted_at IS NULL;

-- Writeen Chat schema, version 8 (SQLite engine): full-text search whose cost follows the
-- conversations searched, not the whole database.
-- The index gets a second column, the message's conversation_id (one token: ids are 24 hex
-- digits), so "these words AND this conversation" is one FTS5 query: FTS5 walks the short
-- doclist of the conversation's token and seeks in the word's, instead of matching the word
-- over every message and filtering after. prefix='2 3 4 5 6 7 8' adds indexes of the first 2 to 8
-- characters of every token: every query word is a prefix phrase ("yang"*), and without them
-- FTS5 copies the doclists of all tokens with that prefix before returning a row (300 ms for a
-- common word at a million messages); with them a prefix is read lazily like a word. They cost
-- about half as much again in indexing time and 40 % more index (docs/BENCHMARKS.md, "History
-- grows"); words longer than 8 characters are still copied, and are rarer.
-- The index is rebuilt from the messages it covered (up to indexed_up_to, not deleted, with
-- text), so the watermark keeps its meaning; this takes about a minute per million messages.
DROP TRIGGER messages_fts_after_delete;
DROP TRIGGER messages_fts_after_update;
DROP TABLE messages_fts;

CREATE VIRTUAL TABLE messages_fts USING fts5 (
    search_text,
    conversation_id,
    content = 'messages',
    content_rowid = 'row_id',
    prefix = '2 3 4 5 6 7 8',
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO messages_fts (rowid, search_text, conversation_id)
    SELECT row_id, search_text, conversation_id FROM messages
    WHERE row_id <= (SELECT indexed_up_to FROM search_index_state) AND deleted_at IS NULL AND search_text <> '';

-- As in 001_init.sql, with the conversation column: an external-content delete must repeat
-- exactly what was indexed.
CREATE TRIGGER messages_fts_after_delete AFTER DELETE ON messages
WHEN old.deleted_at IS NULL AND old.search_text <> ''
    AND old.row_id <= (SELECT indexed_up_to FROM search_index_state)
BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, search_text, conversation_id)
        VALUES ('delete', old.row_id, old.search_text, old.conversation_id);
END;

CREATE TRIGGER messages_fts_after_update AFTER UPDATE OF search_text, deleted_at ON messages
WHEN (new.search_text IS NOT old.search_text OR new.deleted_at IS NOT old.deleted_at)
    AND old.row_id <= (SELECT indexed_up_to FROM search_index_state)
BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, search_text, conversation_id)
        SELECT 'delete', old.row_id, old.search_text, old.conversation_id
        WHERE old.deleted_at IS NULL AND old.search_text <> '';
    INSERT INTO messages_fts (rowid, search_text, conversation_id)
        SELECT new.row_id, new.search_text, new.conversation_id
        WHERE new.deleted_at IS NULL AND new.search_text <> '';
END;

-- Writeen Chat schema, version 3: the conversation counters get a row of their own.
-- Every message and change moves last_seq, last_change_seq and updated_at, so the writer
-- rewrites the row holding them once or twice per message. Rewriting a short row costs half as
-- much as rewriting the whole conversation (title, settings...), which rarely changes.

CREATE TABLE conversation_counters (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    last_seq        INTEGER NOT NULL DEFAULT 0,
    last_change_seq INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO conversation_counters (conversation_id, last_seq, last_change_seq, updated_at)
    SELECT id, last_seq, last_change_seq, updated_at FROM conversations;

ALTER TABLE conversations DROP COLUMN last_seq;
ALTER TABLE conversations DROP COLUMN last_change_seq;
ALTER TABLE conversations DROP COLUMN updated_at;

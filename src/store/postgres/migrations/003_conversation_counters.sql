-- Writeen Chat schema, version 3: the conversation counters get a row of their own (PostgreSQL
-- engine), a translation of src/store/migrations/003_conversation_counters.sql.
-- Changed from SQLite: BIGINT columns; the three DROP COLUMNs are one ALTER TABLE.
-- Why here too: every message moves last_seq, last_change_seq and updated_at. On PostgreSQL an
-- UPDATE writes a new version of the whole row, so a short counter row keeps each message's
-- write (and its WAL) small, and the row lock that serialises seq across nodes is taken on the
-- counters, not on the conversation that readers join.

CREATE TABLE conversation_counters (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    last_seq        BIGINT NOT NULL DEFAULT 0,
    last_change_seq BIGINT NOT NULL DEFAULT 0,
    updated_at      BIGINT NOT NULL
);

INSERT INTO conversation_counters (conversation_id, last_seq, last_change_seq, updated_at)
    SELECT id, last_seq, last_change_seq, updated_at FROM conversations;

ALTER TABLE conversations
    DROP COLUMN last_seq,
    DROP COLUMN last_change_seq,
    DROP COLUMN updated_at;

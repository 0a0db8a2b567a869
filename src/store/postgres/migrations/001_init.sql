-- Writeen Chat schema, version 1 (PostgreSQL engine): a translation of
-- src/store/migrations/001_init.sql, same tables, columns, constraints and indexes.
-- Changed from SQLite:
-- * STRICT / WITHOUT ROWID dropped (PostgreSQL types are always strict; tables are heaps).
-- * INTEGER times, counters and sizes are BIGINT (unix ms do not fit in a 32-bit integer).
-- * 0/1 INTEGER flags are BOOLEAN (the engine sends 't'/'f').
-- * messages.row_id is a BIGINT identity instead of the rowid alias with AUTOINCREMENT; like
--   AUTOINCREMENT a sequence never hands out a value twice. Unlike SQLite's single writer, ids
--   from a sequence commit out of order across transactions and nodes: the notifier does not
--   rely on row_id order (migration 006, docs/NOTIFICATIONS.md).
-- * CHECKs on enumerations keep the OR spelling of the SQLite file (PostgreSQL has no IN cost
--   to avoid, but the same text keeps the two schemas easy to compare).
-- * The FTS5 table, its watermark table and its triggers are not here: the PostgreSQL engine
--   searches with a tsvector (see the marked place below, owned by the search code).

-- What the latest token said about each user; reads join it for names and avatars.
CREATE TABLE users (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL DEFAULT '',
    avatar    TEXT NOT NULL DEFAULT '',
    role      TEXT NOT NULL DEFAULT 'student'
              CHECK (role = 'student' OR role = 'tutor' OR role = 'admin' OR role = 'service'),
    last_seen BIGINT NOT NULL DEFAULT 0
);

-- last_seq and last_change_seq are the conversation's counters, bumped in the same transaction
-- as the message or change that uses them, so they are gap-free (migration 003 moves them).
CREATE TABLE conversations (
    id                 TEXT PRIMARY KEY,
    type               TEXT NOT NULL
                       CHECK (type = 'direct' OR type = 'consultation' OR type = 'group'),
    title              TEXT NOT NULL DEFAULT '',
    consultation_id    TEXT NOT NULL DEFAULT '',
    allow_file_upload  BOOLEAN NOT NULL DEFAULT TRUE,
    max_file_size      BIGINT NOT NULL DEFAULT 10485760,
    allowed_file_types TEXT NOT NULL
                       DEFAULT '[".pdf",".docx",".pptx",".txt",".jpg",".jpeg",".png",".gif"]',
    auto_archive       BOOLEAN NOT NULL DEFAULT FALSE,
    retention_days     BIGINT NOT NULL DEFAULT 365,
    archived           BOOLEAN NOT NULL DEFAULT FALSE,
    archived_at        BIGINT,
    created_by         TEXT NOT NULL DEFAULT '',
    last_seq           BIGINT NOT NULL DEFAULT 0,
    last_change_seq    BIGINT NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);

-- A user who leaves keeps their row (left_at set): the history stays readable to them.
-- No foreign key to users: a participant may be added before their first token is seen.
CREATE TABLE participants (
    conversation_id     TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id             TEXT NOT NULL,
    role                TEXT NOT NULL
                        CHECK (role = 'student' OR role = 'tutor' OR role = 'admin' OR role = 'service'),
    joined_at           BIGINT NOT NULL,
    left_at             BIGINT,
    permissions         TEXT NOT NULL DEFAULT '["read","write","upload","download"]',
    read_up_to_seq      BIGINT NOT NULL DEFAULT 0,
    delivered_up_to_seq BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, user_id),
    CHECK (delivered_up_to_seq >= read_up_to_seq)
);

-- A user's conversations (list, membership, peers); left_at second so "currently in" is a range.
CREATE INDEX participants_by_user ON participants (user_id, left_at);

-- row_id: the order messages were stored in on this database (not their commit order).
CREATE TABLE messages (
    row_id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,
    conversation_id    TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq                BIGINT NOT NULL,
    sender_id          TEXT NOT NULL,
    type               TEXT NOT NULL
                       CHECK (type = 'text' OR type = 'file' OR type = 'image' OR type = 'system'
                              OR type = 'sticker'),
    content_json       TEXT NOT NULL DEFAULT '{}',
    search_text        TEXT NOT NULL DEFAULT '',
    reply_to           TEXT NOT NULL DEFAULT '',
    reply_count        BIGINT NOT NULL DEFAULT 0,
    reactions          TEXT NOT NULL DEFAULT '[]',
    edit_history       TEXT NOT NULL DEFAULT '[]',
    edited             BOOLEAN NOT NULL DEFAULT FALSE,
    client_message_id  TEXT NOT NULL DEFAULT '',
    consultation_id    TEXT NOT NULL DEFAULT '',
    session_id         TEXT NOT NULL DEFAULT '',
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    deleted_at         BIGINT,
    created_change_seq BIGINT NOT NULL DEFAULT 0,
    change_seq         BIGINT NOT NULL DEFAULT 0,
    UNIQUE (conversation_id, seq)
);

-- Idempotent sends: one message per (sender, clientMessageId) across every node; messages
-- without one are free. Named so the engine can tell this violation from the others.
CREATE UNIQUE INDEX messages_by_client_id ON messages (sender_id, client_message_id)
    WHERE client_message_id <> '';
-- Threads: the replies of a root, in conversation order.
CREATE INDEX messages_replies ON messages (reply_to, seq) WHERE reply_to <> '';
-- Sync: messages changed after they were stored (edits, reactions, deletions, new replies). Only
-- those have an entry, so storing a message costs no write here; messages stored after a
-- changeSeq are found through (conversation_id, seq), because created_change_seq grows with seq.
CREATE INDEX messages_changed ON messages (conversation_id, change_seq)
    WHERE change_seq > created_change_seq;

-- Every move of a read or delivered cursor: readBy/deliveredTo say when a message was covered.
-- Cursors only move forward, so (user, seq) is unique per conversation and kind.
CREATE TABLE cursor_marks (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind = 'read' OR kind = 'delivered'),
    user_id         TEXT NOT NULL,
    up_to_seq       BIGINT NOT NULL,
    at              BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, kind, user_id, up_to_seq)
);

-- FULL-TEXT SEARCH (owned by the search code, src/store/postgres/postgres_search.cpp): the
-- tsvector column of messages, its GIN index and whatever keeps it up to date go in a migration
-- of their own (the SQLite file's messages_fts, search_index_state and triggers have no
-- counterpart in this file).

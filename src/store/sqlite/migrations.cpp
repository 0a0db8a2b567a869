#include "store/sqlite/migrations.hpp"

#include <array>
#include <string>

#include "store/sqlite/connection.hpp"
#include "store/store.hpp"

namespace writeen::store::sqlite {
namespace {

// The text of each file in src/store/migrations/, byte for byte: the raw literal starts right
// after `R"sql(` and ends right before `)sql"`. Add a new migration as a new file and a new
// constant here; never edit an applied one. The unit test migrations_match_their_sql_files
// fails when the two differ.

// src/store/migrations/001_init.sql
constexpr std::string_view migration_001_init = R"sql(-- Writeen Chat schema, version 1 (SQLite engine).
-- Times are milliseconds since the Unix epoch (UTC). Enumerations are stored with their API
-- spelling ('direct', 'student', ...). Lists are JSON arrays with the API's camelCase keys,
-- written and read whole by the store.
-- CHECKs on enumerations are spelled with OR, not IN (...): SQLite evaluates an IN list by
-- building a temporary table for every row written, which doubled the cost of storing a message.

-- What the latest token said about each user; reads join it for names and avatars.
CREATE TABLE users (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL DEFAULT '',
    avatar    TEXT NOT NULL DEFAULT '',
    role      TEXT NOT NULL DEFAULT 'student'
              CHECK (role = 'student' OR role = 'tutor' OR role = 'admin' OR role = 'service'),
    last_seen INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

-- last_seq and last_change_seq are the conversation's counters: the writer bumps them in the
-- same transaction as the message or change that uses them, so they are gap-free.
CREATE TABLE conversations (
    id                 TEXT PRIMARY KEY,
    type               TEXT NOT NULL
                       CHECK (type = 'direct' OR type = 'consultation' OR type = 'group'),
    title              TEXT NOT NULL DEFAULT '',
    consultation_id    TEXT NOT NULL DEFAULT '',
    allow_file_upload  INTEGER NOT NULL DEFAULT 1,
    max_file_size      INTEGER NOT NULL DEFAULT 10485760,
    allowed_file_types TEXT NOT NULL
                       DEFAULT '[".pdf",".docx",".pptx",".txt",".jpg",".jpeg",".png",".gif"]',
    auto_archive       INTEGER NOT NULL DEFAULT 0,
    retention_days     INTEGER NOT NULL DEFAULT 365,
    archived           INTEGER NOT NULL DEFAULT 0,
    archived_at        INTEGER,
    created_by         TEXT NOT NULL DEFAULT '',
    last_seq           INTEGER NOT NULL DEFAULT 0,
    last_change_seq    INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- A user who leaves keeps their row (left_at set): the history stays readable to them.
-- No foreign key to users: a participant may be added before their first token is seen.
CREATE TABLE participants (
    conversation_id     TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id             TEXT NOT NULL,
    role                TEXT NOT NULL
                        CHECK (role = 'student' OR role = 'tutor' OR role = 'admin' OR role = 'service'),
    joined_at           INTEGER NOT NULL,
    left_at             INTEGER,
    permissions         TEXT NOT NULL DEFAULT '["read","write","upload","download"]',
    read_up_to_seq      INTEGER NOT NULL DEFAULT 0,
    delivered_up_to_seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, user_id),
    CHECK (delivered_up_to_seq >= read_up_to_seq)
) STRICT, WITHOUT ROWID;

-- A user's conversations (list, membership, peers); left_at second so "currently in" is a range.
CREATE INDEX participants_by_user ON participants (user_id, left_at);

-- row_id is an explicit alias of the rowid because the full-text index refers to messages by
-- rowid, and VACUUM may renumber a rowid that no column aliases. AUTOINCREMENT: a row_id is never
-- reused, so every new message lands above the search index's watermark (see below).
CREATE TABLE messages (
    row_id             INTEGER PRIMARY KEY AUTOINCREMENT,
    id                 TEXT NOT NULL UNIQUE,
    conversation_id    TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq                INTEGER NOT NULL,
    sender_id          TEXT NOT NULL,
    type               TEXT NOT NULL
                       CHECK (type = 'text' OR type = 'file' OR type = 'image' OR type = 'system'
                              OR type = 'sticker'),
    content_json       TEXT NOT NULL DEFAULT '{}',
    search_text        TEXT NOT NULL DEFAULT '',
    reply_to           TEXT NOT NULL DEFAULT '',
    reply_count        INTEGER NOT NULL DEFAULT 0,
    reactions          TEXT NOT NULL DEFAULT '[]',
    edit_history       TEXT NOT NULL DEFAULT '[]',
    edited             INTEGER NOT NULL DEFAULT 0,
    client_message_id  TEXT NOT NULL DEFAULT '',
    consultation_id    TEXT NOT NULL DEFAULT '',
    session_id         TEXT NOT NULL DEFAULT '',
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    deleted_at         INTEGER,
    created_change_seq INTEGER NOT NULL DEFAULT 0,
    change_seq         INTEGER NOT NULL DEFAULT 0,
    UNIQUE (conversation_id, seq)
) STRICT;

-- Idempotent sends: one message per (sender, clientMessageId); messages without one are free.
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
    up_to_seq       INTEGER NOT NULL,
    at              INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, kind, user_id, up_to_seq)
) STRICT, WITHOUT ROWID;

-- Full-text search over search_text, case- and accent-insensitive ("skripsi" finds "SKRIPSÍ").
-- External content: the text lives once, in messages.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    search_text,
    content = 'messages',
    content_rowid = 'row_id',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- New messages are indexed once per write transaction, all together, by the writer just before
-- it commits: every message with row_id above indexed_up_to that is searchable (not deleted,
-- with text); then indexed_up_to moves to the newest row_id. Indexing row by row from a trigger
-- costs about five times more. The triggers below keep already indexed messages in step with
-- their text; messages above the watermark are left to the next indexing.
CREATE TABLE search_index_state (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_up_to INTEGER NOT NULL
) STRICT;
INSERT INTO search_index_state (id, indexed_up_to) VALUES (1, 0);

-- An external-content delete must repeat exactly the text that was indexed.
CREATE TRIGGER messages_fts_after_delete AFTER DELETE ON messages
WHEN old.deleted_at IS NULL AND old.search_text <> ''
    AND old.row_id <= (SELECT indexed_up_to FROM search_index_state)
BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, search_text)
        VALUES ('delete', old.row_id, old.search_text);
END;

-- One trigger, remove then add, so the order of the two index changes is fixed.
CREATE TRIGGER messages_fts_after_update AFTER UPDATE OF search_text, deleted_at ON messages
WHEN (new.search_text IS NOT old.search_text OR new.deleted_at IS NOT old.deleted_at)
    AND old.row_id <= (SELECT indexed_up_to FROM search_index_state)
BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, search_text)
        SELECT 'delete', old.row_id, old.search_text
        WHERE old.deleted_at IS NULL AND old.search_text <> '';
    INSERT INTO messages_fts (rowid, search_text)
        SELECT new.row_id, new.search_text
        WHERE new.deleted_at IS NULL AND new.search_text <> '';
END;
)sql";

// src/store/migrations/002_files.sql
constexpr std::string_view migration_002_files =
    R"sql(-- Writeen Chat schema, version 2: shared files (SQLite engine).
-- The bytes of a file live in the blob store (local directory or S3, encrypted); these tables
-- say which stored content each upload uses. Identical content is stored once: every upload has
-- its own files row (name, uploader, scan status), and rows with the same sha256 share one blob.

-- One stored content. blob_key is server-made and random, so the store's key listing reveals
-- nothing about the content (not even which uploads are equal); sha256 finds equal content.
-- A blob whose last files row went is collected by the writer and then deleted from the store.
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    blob_key   TEXT NOT NULL UNIQUE,
    size       INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- One upload. message_id has no foreign key: the message is stored in the same transaction, and
-- the trigger below removes the row when its message row goes (retention).
CREATE TABLE files (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    message_id      TEXT NOT NULL,
    uploader_id     TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    size            INTEGER NOT NULL,
    mime            TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    blob_key        TEXT NOT NULL,
    scan_status     TEXT NOT NULL
                    CHECK (scan_status = 'pending' OR scan_status = 'scanning' OR scan_status = 'clean'
                           OR scan_status = 'infected' OR scan_status = 'error' OR scan_status = 'unscanned'),
    width           INTEGER,
    height          INTEGER,
    created_at      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX files_by_message ON files (message_id);
-- Reference counting: a blob is collected when no files row names it.
CREATE INDEX files_by_blob ON files (blob_key);
-- Files still waiting for their scan, requeued at start-up.
CREATE INDEX files_unfinished ON files (scan_status)
    WHERE scan_status = 'pending' OR scan_status = 'scanning';

-- Retention deletes message rows; their files go with them.
CREATE TRIGGER files_after_message_delete AFTER DELETE ON messages
BEGIN
    DELETE FROM files WHERE message_id = old.id;
END;
)sql";

// src/store/migrations/003_conversation_counters.sql
constexpr std::string_view migration_003_conversation_counters =
    R"sql(-- Writeen Chat schema, version 3: the conversation counters get a row of their own.
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
)sql";

constexpr std::array<migration, 3> all_migrations{{
    {1, "001_init", migration_001_init},
    {2, "002_files", migration_002_files},
    {3, "003_conversation_counters", migration_003_conversation_counters},
}};

constexpr const char* create_schema_migrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT";
constexpr const char* select_schema_version = "SELECT coalesce(max(version), 0) FROM schema_migrations";
constexpr const char* insert_schema_migration =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)";

}  // namespace

std::span<const migration> migrations() { return all_migrations; }

int apply_migrations(connection& db, unix_ms now) {
    // IMMEDIATE takes the write lock first, so two processes starting on one file cannot both
    // decide to apply the same migration.
    db.exec("BEGIN IMMEDIATE", "begin migrations");
    try {
        db.exec(create_schema_migrations, "create schema_migrations");
        std::int64_t current = 0;
        {
            auto q = db.prepare(select_schema_version);
            if (q.step()) current = q.int_at(0);
        }
        const int latest = all_migrations.back().version;
        if (current > latest)
            throw unavailable("sqlite: database schema version " + std::to_string(current) +
                              " is newer than this program's (" + std::to_string(latest) + ")");
        int applied = 0;
        for (const migration& m : all_migrations) {
            if (m.version <= current) continue;
            // The literals are NUL-terminated, so data() is a C string.
            db.exec(m.sql.data(), "migration " + std::string{m.name});
            db.prepare(insert_schema_migration).bind(1, m.version).bind(2, m.name).bind(3, now).run();
            ++applied;
        }
        db.exec("COMMIT", "commit migrations");
        return applied;
    } catch (...) {
        if (db.in_transaction()) sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

}  // namespace writeen::store::sqlite

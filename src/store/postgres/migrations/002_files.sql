-- Writeen Chat schema, version 2: shared files (PostgreSQL engine), a translation of
-- src/store/migrations/002_files.sql.
-- Changed from SQLite: STRICT / WITHOUT ROWID dropped, INTEGER sizes and times BIGINT, and the
-- AFTER DELETE trigger on messages is a PL/pgSQL function plus a FOR EACH ROW trigger (PostgreSQL
-- triggers call functions).
-- The bytes of a file live in the blob store (local directory or S3, encrypted); these tables
-- say which stored content each upload uses. Identical content is stored once: every upload has
-- its own files row (name, uploader, scan status), and rows with the same sha256 share one blob.

-- One stored content. blob_key is server-made and random, so the store's key listing reveals
-- nothing about the content (not even which uploads are equal); sha256 finds equal content.
-- A blob whose last files row went is collected by the writer and then deleted from the store.
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    blob_key   TEXT NOT NULL UNIQUE,
    size       BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- One upload. message_id has no foreign key: the message is stored in the same transaction, and
-- the trigger below removes the row when its message row goes (retention).
CREATE TABLE files (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    message_id      TEXT NOT NULL,
    uploader_id     TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    size            BIGINT NOT NULL,
    mime            TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    blob_key        TEXT NOT NULL,
    scan_status     TEXT NOT NULL
                    CHECK (scan_status = 'pending' OR scan_status = 'scanning' OR scan_status = 'clean'
                           OR scan_status = 'infected' OR scan_status = 'error' OR scan_status = 'unscanned'),
    width           BIGINT,
    height          BIGINT,
    created_at      BIGINT NOT NULL
);

CREATE INDEX files_by_message ON files (message_id);
-- Reference counting: a blob is collected when no files row names it.
CREATE INDEX files_by_blob ON files (blob_key);
-- Files still waiting for their scan, requeued at start-up.
CREATE INDEX files_unfinished ON files (scan_status)
    WHERE scan_status = 'pending' OR scan_status = 'scanning';

-- Retention deletes message rows; their files go with them.
CREATE FUNCTION files_after_message_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM files WHERE message_id = OLD.id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER files_after_message_delete AFTER DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION files_after_message_delete();

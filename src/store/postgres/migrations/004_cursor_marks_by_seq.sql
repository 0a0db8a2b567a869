-- Writeen Chat schema, version 4: cursor marks found by seq (PostgreSQL engine), a translation of
-- src/store/migrations/004_cursor_marks_by_seq.sql (nothing SQLite-specific to change).
-- The receipts of a page of history are dated by the marks whose up_to_seq falls in the page,
-- whoever made them. The primary key (conversation_id, kind, user_id, up_to_seq) orders marks by
-- user first, so it cannot give them as one range; this index does. The primary key still finds
-- a user's first mark at or above a seq in one probe.
CREATE INDEX cursor_marks_by_seq ON cursor_marks (conversation_id, kind, up_to_seq);

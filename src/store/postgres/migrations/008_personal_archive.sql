-- Writeen Chat schema, version 8 (PostgreSQL engine): each user's own archive, as the SQLite
-- engine's 007_personal_archive.sql. hidden_up_to_seq is the conversation's newest seq when the
-- participant hid it, NULL when not hidden; a newer message brings it back into the list without
-- the message path writing anything here.
ALTER TABLE participants ADD COLUMN hidden_up_to_seq BIGINT;

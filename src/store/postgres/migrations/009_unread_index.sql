-- Writeen Chat schema, version 9 (PostgreSQL engine): unread counts read an index, not the messages.
-- The PostgreSQL form of the SQLite engine's migration 009: a conversation's unread count
-- (messages from others above the read cursor, not deleted) can be an index-only scan instead of
-- a heap fetch of every unread message (once VACUUM has marked the pages all-visible; the
-- PostgreSQL list was not measured before and after).
CREATE INDEX messages_unread ON messages (conversation_id, seq) INCLUDE (sender_id)
    WHERE deleted_at IS NULL;

-- Writeen Chat schema, version 9 (PostgreSQL engine): unread counts read an index, not the messages.
-- The same index as the SQLite engine's migration 009: a conversation's unread count (messages
-- from others above the read cursor, not deleted) is an index-only scan instead of a heap fetch
-- of every unread message.
CREATE INDEX messages_unread ON messages (conversation_id, seq) INCLUDE (sender_id)
    WHERE deleted_at IS NULL;

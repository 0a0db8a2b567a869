-- Writeen Chat schema, version 9 (SQLite engine): unread counts read an index, not the messages.
-- A conversation's unread count is its messages from others above the user's read cursor that
-- are not deleted. Through (conversation_id, seq) alone every one of them is a lookup of the whole
-- message row (its text, reactions, history), spread over as many pages: 22 ms for the 20
-- conversations of a list page when one holds 15,000 unread messages. With sender_id and
-- deleted_at in the index the count never leaves it (a covering index; a partial one, WHERE
-- deleted_at IS NULL, still visited the rows): 1.6 ms. It costs about 48 bytes per message on
-- disk and one more index entry written with each message (docs/BENCHMARKS.md, "History grows").
CREATE INDEX messages_unread ON messages (conversation_id, seq, sender_id, deleted_at);

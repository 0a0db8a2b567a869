-- Writeen Chat schema, version 7: each user's own archive (SQLite engine).
-- A participant hides a conversation from their list ("archive for me", distinct from a tutor's
-- archive, which closes it for everyone): hidden_up_to_seq is the conversation's newest seq when
-- they hid it, NULL when not hidden. It stays hidden while no newer message arrived, so a new
-- message brings it back into the list without the message path writing anything here.
ALTER TABLE participants ADD COLUMN hidden_up_to_seq INTEGER;

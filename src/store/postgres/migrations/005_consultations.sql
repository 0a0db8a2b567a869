-- Writeen Chat schema, version 5: consultations, their chat sessions and ratings, the outbox of
-- notifications, and the keys that sign session transcripts (PostgreSQL engine), a translation
-- of src/store/migrations/005_consultations.sql.
-- Changed from SQLite: STRICT / WITHOUT ROWID dropped, INTEGER times and ratings BIGINT /
-- SMALLINT. Partial indexes keep the same predicates.

-- The session a conversation has open, if any: every message stored while it is set carries
-- it (chat/posting). Kept on the conversation row because every message reads that row anyway
-- (through the conversation cache), so sessions cost the hot path nothing.
ALTER TABLE conversations ADD COLUMN open_session_id TEXT NOT NULL DEFAULT '';

-- What the consultation service last confirmed for each consultation (PUT .../chat), so a
-- retried call is recognised as such and a changed one says what changed.
CREATE TABLE consultations (
    consultation_id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL UNIQUE REFERENCES conversations (id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    tutor_id        TEXT NOT NULL,
    student_ids     TEXT NOT NULL DEFAULT '[]',
    scheduled_start BIGINT NOT NULL,
    scheduled_end   BIGINT NOT NULL,
    cancelled_at    BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- One chat session of a consultation: from its consultation_started message (first_seq) to its
-- summary message (last_seq, 0 while open). summary_json is what was computed when it ended.
CREATE TABLE chat_sessions (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    consultation_id TEXT NOT NULL,
    session_type    TEXT NOT NULL DEFAULT 'consultation',
    start_time      BIGINT NOT NULL,
    end_time        BIGINT,
    first_seq       BIGINT NOT NULL,
    last_seq        BIGINT NOT NULL DEFAULT 0,
    session_notes   TEXT NOT NULL DEFAULT '',
    summary_json    TEXT NOT NULL DEFAULT ''
);

-- At most one open session per conversation, whatever the callers do (and whichever node).
CREATE UNIQUE INDEX chat_sessions_one_open ON chat_sessions (conversation_id) WHERE end_time IS NULL;
CREATE INDEX chat_sessions_by_conversation ON chat_sessions (conversation_id, start_time);

-- One rating per participant and session; a second rating replaces the first.
CREATE TABLE session_ratings (
    session_id TEXT NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL,
    rating     SMALLINT NOT NULL CHECK (rating >= 1 AND rating <= 5),
    comment    TEXT NOT NULL DEFAULT '',
    rated_at   BIGINT NOT NULL,
    PRIMARY KEY (session_id, user_id)
);

-- Messages of a session (GET .../messages?sessionId=); only session messages have an entry.
CREATE INDEX messages_by_session ON messages (session_id, seq) WHERE session_id <> '';

-- Notifications written in the same transaction as the change that causes them, so a crash
-- between the commit and the sending loses none. The sender (notify/) picks pending rows by
-- due_at and marks them; payload_json is the webhook body of API.md ("Notifications").
CREATE TABLE notification_outbox (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL,
    kind            TEXT NOT NULL
                    CHECK (kind = 'consultation_invite' OR kind = 'consultation_rescheduled'
                           OR kind = 'consultation_cancelled'),
    conversation_id TEXT NOT NULL,
    payload_json    TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    due_at          BIGINT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state = 'pending' OR state = 'sent' OR state = 'failed')
);

CREATE INDEX notification_outbox_due ON notification_outbox (state, due_at);

-- Every public key that ever signed a transcript: a rotated key stays listed, so transcripts it
-- signed stay verifiable.
CREATE TABLE transcript_keys (
    key_id         TEXT PRIMARY KEY,
    public_key_pem TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);

-- Writeen Chat schema, version 6: notifications for people who are not connected (PostgreSQL
-- engine), a translation of src/store/migrations/006_notifications.sql. See docs/NOTIFICATIONS.md.
-- Changed from SQLite:
-- * The notifier's cursor over the message log cannot be a row_id. On SQLite one writer commits
--   row_ids in order; here a sequence hands them out when rows are inserted, and transactions
--   on several nodes commit in any order, so a cursor past row_id 105 could leave a 104 that
--   commits later unplanned forever. Every message records the transaction that wrote it
--   (log_xid, an xid8, never wrapping), and the notifier reads only rows whose transaction is
--   older than the oldest one still running (pg_snapshot_xmin of its snapshot): all those have
--   finished, so no row can appear below that horizon any more. The cursor is a position in
--   (log_xid, row_id) order: notify_cursor keeps both.
-- * notification_deliveries.id is a BIGINT identity instead of INTEGER PRIMARY KEY AUTOINCREMENT.
-- * STRICT / WITHOUT ROWID dropped, INTEGER times BIGINT, muted BOOLEAN.
-- * notifications.id is COLLATE "C": the list pages and marks read by id order, which must be
--   SQLite's byte order whatever the database's default collation is.

-- The writing transaction of each message. pg_current_xact_id() is the top-level transaction's
-- id even inside the writer's savepoints, so a whole batch shares one log_xid.
ALTER TABLE messages ADD COLUMN log_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX messages_by_log_position ON messages (log_xid, row_id);

-- How far the notifier has planned the message log: the last message it planned, by
-- (log_xid, row_id). Existing history is not notified: the cursor starts after the newest message.
CREATE TABLE notify_cursor (
    name    TEXT PRIMARY KEY,
    row_id  BIGINT NOT NULL,
    log_xid xid8 NOT NULL
);
INSERT INTO notify_cursor (name, row_id, log_xid)
    SELECT 'messages', coalesce(max(row_id), 0), coalesce(max(log_xid), '0'::xid8) FROM messages;

-- The in-app list and the unit of coalescing: a pending 'message' row gathers count and the
-- latest preview until send_at; last_seq is the newest message it counts (read meanwhile:
-- cancelled).
CREATE TABLE notifications (
    id              TEXT COLLATE "C" PRIMARY KEY,
    user_id         TEXT NOT NULL,
    type            TEXT NOT NULL
                    CHECK (type = 'message' OR type = 'reply' OR type = 'mention'
                           OR type = 'consultation_invite' OR type = 'consultation_rescheduled'
                           OR type = 'consultation_cancelled'),
    conversation_id TEXT NOT NULL,
    message_id      TEXT NOT NULL DEFAULT '',
    consultation_id TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL DEFAULT '',
    preview         TEXT NOT NULL DEFAULT '',
    count           BIGINT NOT NULL DEFAULT 1,
    last_seq        BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    send_at         BIGINT NOT NULL,
    sent_at         BIGINT,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state = 'pending' OR state = 'sent' OR state = 'cancelled'),
    read_at         BIGINT
);

CREATE INDEX notifications_pending_due ON notifications (send_at) WHERE state = 'pending';
CREATE INDEX notifications_by_user ON notifications (user_id, id);
-- Coalescing: the one open 'message' notification of a user in a conversation, and the last one sent.
CREATE INDEX notifications_by_conversation ON notifications (user_id, conversation_id, type, created_at);

-- Web Push subscriptions (PushSubscription.toJSON()). An endpoint belongs to one browser profile.
CREATE TABLE push_subscriptions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    endpoint   TEXT NOT NULL UNIQUE,
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id, created_at);

-- One send of a notification on one channel (the webhook, or one push subscription), retried
-- with backoff until it succeeds or expires_at passes. Removing a subscription removes its sends.
CREATE TABLE notification_deliveries (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notification_id TEXT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL CHECK (channel = 'webhook' OR channel = 'webpush'),
    subscription_id TEXT REFERENCES push_subscriptions (id) ON DELETE CASCADE,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state = 'pending' OR state = 'delivered' OR state = 'dropped')
);

CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notification_deliveries_by_subscription ON notification_deliveries (subscription_id);

-- A user's notification setting for a conversation (absent: not muted).
CREATE TABLE notification_settings (
    user_id         TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    muted           BOOLEAN NOT NULL DEFAULT FALSE,
    muted_until     BIGINT,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
);

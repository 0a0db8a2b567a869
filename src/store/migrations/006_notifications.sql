-- Writeen Chat schema, version 6: notifications for people who are not connected (SQLite
-- engine). See docs/NOTIFICATIONS.md.

-- The message log is the outbox for messages: the notifier keeps how far it has planned
-- (messages.row_id, AUTOINCREMENT and committed in order by the single writer) here, and
-- advances it in the same transaction as the notifications it planned. Existing history is
-- not notified: the cursor starts at the newest message.
CREATE TABLE notify_cursor (
    name   TEXT PRIMARY KEY,
    row_id INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO notify_cursor (name, row_id) VALUES ('messages', (SELECT coalesce(max(row_id), 0) FROM messages));

-- The in-app list and the unit of coalescing: a pending 'message' row gathers count and the
-- latest preview until send_at; last_seq is the newest message it counts (read meanwhile:
-- cancelled).
CREATE TABLE notifications (
    id              TEXT PRIMARY KEY,
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
    count           INTEGER NOT NULL DEFAULT 1,
    last_seq        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    send_at         INTEGER NOT NULL,
    sent_at         INTEGER,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state = 'pending' OR state = 'sent' OR state = 'cancelled'),
    read_at         INTEGER
) STRICT, WITHOUT ROWID;

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
    created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id, created_at);

-- One send of a notification on one channel (the webhook, or one push subscription), retried
-- with backoff until it succeeds or expires_at passes. Removing a subscription removes its sends.
CREATE TABLE notification_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id TEXT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL CHECK (channel = 'webhook' OR channel = 'webpush'),
    subscription_id TEXT REFERENCES push_subscriptions (id) ON DELETE CASCADE,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state = 'pending' OR state = 'delivered' OR state = 'dropped')
) STRICT;

CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notification_deliveries_by_subscription ON notification_deliveries (subscription_id);

-- A user's notification setting for a conversation (absent: not muted).
CREATE TABLE notification_settings (
    user_id         TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    muted           INTEGER NOT NULL DEFAULT 0,
    muted_until     INTEGER,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
) STRICT, WITHOUT ROWID;

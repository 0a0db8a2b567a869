// Notifications in the PostgreSQL engine (migration 006_notifications, docs/NOTIFICATIONS.md):
// the notifier's cursor over the message log, the in-app list and its coalescing, Web Push
// subscriptions, per-channel sends with retries, mute settings, and the consultation outbox as
// the sender sees it. The same statements as sqlite_notifications.cpp except the cursor.
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/postgres_queries.hpp"
#include "store/postgres/postgres_rows.hpp"

namespace writeen::store::postgres {
namespace {

// The cursor is a position in (log_xid, row_id) order, not a row_id (006_notifications.sql):
// row_ids are handed out at insert and commit in any order across nodes. notify_cursor()
// still answers the row_id of the last planned message, which is what the planner passes back.
constexpr const char* sql_notify_cursor = "SELECT row_id FROM notify_cursor WHERE name = 'messages'";
// A message gone since it was planned (retention, within the round) keeps the previous
// log_xid: the position then only moves within that transaction's rows.
constexpr const char* sql_set_notify_cursor =
    "UPDATE notify_cursor SET row_id = $1, "
    "log_xid = coalesce((SELECT log_xid FROM messages WHERE row_id = $1), log_xid) WHERE name = 'messages'";

// Only messages written by transactions older than the oldest one still running: every such
// transaction has ended, so nothing can appear below that horizon any more and the cursor may
// pass it. Messages of later transactions wait for the next round, whichever committed first.
// The position of after_row_id is the stored one when it is the stored row_id (always, from
// the planner), else that message's own.
constexpr const char* sql_logged_messages =
    "WITH here AS (SELECT coalesce((SELECT log_xid FROM notify_cursor WHERE name = 'messages' AND row_id = $1), "
    "                              (SELECT log_xid FROM messages WHERE row_id = $1), '0'::xid8) AS log_xid) "
    "SELECT m.row_id, " WRITEEN_PG_MESSAGE_COLUMNS WRITEEN_PG_MESSAGES_WITH_SENDER
    "CROSS JOIN here WHERE (m.log_xid, m.row_id) > (here.log_xid, $1::bigint) "
    "AND m.log_xid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY m.log_xid, m.row_id LIMIT $2";

constexpr const char* sql_due_outbox =
    "SELECT id, user_id, kind, conversation_id, payload_json, created_at, due_at FROM notification_outbox "
    "WHERE state = 'pending' AND due_at <= $1 ORDER BY due_at, id LIMIT $2";
constexpr const char* sql_set_outbox_sent = "UPDATE notification_outbox SET state = 'sent' WHERE id = $1";

#define WRITEEN_PG_NOTIFICATION_COLUMNS                                                                 \
    "n.id, n.user_id, n.type, n.conversation_id, n.message_id, n.consultation_id, n.title, n.preview, " \
    "n.count, n.last_seq, n.created_at, n.send_at, n.sent_at, n.state, n.read_at"
constexpr int notification_column_count = 15;

constexpr const char* sql_open_message_notification =
    "SELECT " WRITEEN_PG_NOTIFICATION_COLUMNS
    " FROM notifications n WHERE n.user_id = $1 AND n.conversation_id = $2 AND n.type = 'message' "
    "AND n.state = 'pending' ORDER BY n.created_at DESC LIMIT 1";
constexpr const char* sql_last_message_notification_sent =
    "SELECT max(n.sent_at) FROM notifications n WHERE n.user_id = $1 AND n.conversation_id = $2 "
    "AND n.type = 'message' AND n.state = 'sent'";
constexpr const char* sql_due_notifications =
    "SELECT " WRITEEN_PG_NOTIFICATION_COLUMNS
    " FROM notifications n WHERE n.state = 'pending' AND n.send_at <= $1 ORDER BY n.send_at, n.id LIMIT $2";
constexpr const char* sql_notifications_of =
    "SELECT " WRITEEN_PG_NOTIFICATION_COLUMNS
    " FROM notifications n WHERE n.user_id = $1 AND n.state = 'sent' AND ($2::text IS NULL OR n.id < $2::text) "
    "ORDER BY n.id DESC LIMIT $3";
constexpr const char* sql_unread_notification_count =
    "SELECT count(*) FROM notifications WHERE user_id = $1 AND state = 'sent' AND read_at IS NULL";
constexpr const char* sql_find_notification =
    "SELECT " WRITEEN_PG_NOTIFICATION_COLUMNS " FROM notifications n WHERE n.id = $1";
constexpr const char* sql_upsert_notification =
    "INSERT INTO notifications (id, user_id, type, conversation_id, message_id, consultation_id, title, preview, "
    "count, last_seq, created_at, send_at, sent_at, state, read_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
    "ON CONFLICT (id) DO UPDATE SET message_id = excluded.message_id, title = excluded.title, "
    "preview = excluded.preview, count = excluded.count, last_seq = excluded.last_seq, "
    "send_at = excluded.send_at, sent_at = excluded.sent_at, state = excluded.state, read_at = excluded.read_at";
constexpr const char* sql_mark_notifications_read =
    "UPDATE notifications SET read_at = $3 WHERE user_id = $1 AND id <= $2 AND state = 'sent' AND read_at IS NULL";

#define WRITEEN_PG_DELIVERY_COLUMNS                                                                        \
    "d.id, d.notification_id, d.channel, coalesce(d.subscription_id, ''), d.attempts, d.next_attempt_at, " \
    "d.expires_at, d.state"
constexpr int delivery_column_count = 8;
#define WRITEEN_PG_SUBSCRIPTION_COLUMNS "s.id, s.user_id, s.endpoint, s.p256dh, s.auth, s.user_agent, s.created_at"

constexpr const char* sql_due_deliveries =
    "SELECT " WRITEEN_PG_DELIVERY_COLUMNS ", " WRITEEN_PG_NOTIFICATION_COLUMNS ", " WRITEEN_PG_SUBSCRIPTION_COLUMNS
    " FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id "
    "LEFT JOIN push_subscriptions s ON s.id = d.subscription_id "
    "WHERE d.state = 'pending' AND d.next_attempt_at <= $1 ORDER BY d.next_attempt_at, d.id LIMIT $2";
constexpr const char* sql_oldest_pending_delivery =
    "SELECT min(n.sent_at) FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id "
    "WHERE d.state = 'pending'";
constexpr const char* sql_deliveries_of =
    "SELECT " WRITEEN_PG_DELIVERY_COLUMNS " FROM notification_deliveries d WHERE d.notification_id = $1 ORDER BY d.id";
constexpr const char* sql_insert_delivery =
    "INSERT INTO notification_deliveries (notification_id, channel, subscription_id, attempts, next_attempt_at, "
    "expires_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
constexpr const char* sql_update_delivery =
    "UPDATE notification_deliveries SET attempts = $2, next_attempt_at = $3, state = $4 WHERE id = $1";

constexpr const char* sql_notification_setting =
    "SELECT user_id, conversation_id, muted, muted_until, updated_at FROM notification_settings "
    "WHERE user_id = $1 AND conversation_id = $2";
constexpr const char* sql_upsert_notification_setting =
    "INSERT INTO notification_settings (user_id, conversation_id, muted, muted_until, updated_at) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, conversation_id) DO UPDATE SET muted = excluded.muted, "
    "muted_until = excluded.muted_until, updated_at = excluded.updated_at";

constexpr const char* sql_subscriptions_of =
    "SELECT " WRITEEN_PG_SUBSCRIPTION_COLUMNS
    " FROM push_subscriptions s WHERE s.user_id = $1 ORDER BY s.created_at, s.id";
constexpr const char* sql_find_subscription =
    "SELECT " WRITEEN_PG_SUBSCRIPTION_COLUMNS " FROM push_subscriptions s WHERE s.id = $1";
// One round trip: the stored row (new or the endpoint's earlier one, which keeps its id).
constexpr const char* sql_upsert_subscription =
    "INSERT INTO push_subscriptions AS s (id, user_id, endpoint, p256dh, auth, user_agent, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, "
    "p256dh = excluded.p256dh, auth = excluded.auth, user_agent = excluded.user_agent "
    "RETURNING " WRITEEN_PG_SUBSCRIPTION_COLUMNS;
constexpr const char* sql_delete_subscription = "DELETE FROM push_subscriptions WHERE id = $1";
constexpr const char* sql_prune_deliveries =
    "DELETE FROM notification_deliveries WHERE state <> 'pending' AND notification_id IN "
    "(SELECT id FROM notifications WHERE created_at < $1)";
constexpr const char* sql_prune_notifications =
    "DELETE FROM notifications WHERE state <> 'pending' AND created_at < $1 AND NOT EXISTS "
    "(SELECT 1 FROM notification_deliveries d WHERE d.notification_id = notifications.id)";
constexpr const char* sql_prune_outbox = "DELETE FROM notification_outbox WHERE state = 'sent' AND created_at < $1";
#undef WRITEEN_PG_NOTIFICATION_COLUMNS
#undef WRITEEN_PG_DELIVERY_COLUMNS
#undef WRITEEN_PG_SUBSCRIPTION_COLUMNS

notification notification_at(const result& r, int row, int c) {
    notification n;
    n.id = r.text_at(row, c + 0);
    n.user_id = r.text_at(row, c + 1);
    n.type = r.text_at(row, c + 2);
    n.conversation_id = r.text_at(row, c + 3);
    n.message_id = r.text_at(row, c + 4);
    n.consultation_id = r.text_at(row, c + 5);
    n.title = r.text_at(row, c + 6);
    n.preview = r.text_at(row, c + 7);
    n.count = r.int_at(row, c + 8);
    n.last_seq = r.int_at(row, c + 9);
    n.created_at = r.int_at(row, c + 10);
    n.send_at = r.int_at(row, c + 11);
    n.sent_at = r.optional_int_at(row, c + 12);
    n.state = r.text_at(row, c + 13);
    n.read_at = r.optional_int_at(row, c + 14);
    return n;
}

notification_delivery delivery_at(const result& r, int row, int c) {
    notification_delivery d;
    d.id = r.int_at(row, c + 0);
    d.notification_id = r.text_at(row, c + 1);
    d.channel = r.text_at(row, c + 2);
    d.subscription_id = r.text_at(row, c + 3);
    d.attempts = r.int_at(row, c + 4);
    d.next_attempt_at = r.int_at(row, c + 5);
    d.expires_at = r.int_at(row, c + 6);
    d.state = r.text_at(row, c + 7);
    return d;
}

push_subscription subscription_at(const result& r, int row, int c) {
    return push_subscription{.id = r.text_at(row, c + 0),
                             .user_id = r.text_at(row, c + 1),
                             .endpoint = r.text_at(row, c + 2),
                             .p256dh = r.text_at(row, c + 3),
                             .auth = r.text_at(row, c + 4),
                             .user_agent = r.text_at(row, c + 5),
                             .created_at = r.int_at(row, c + 6)};
}

std::vector<notification> notifications_from(const result& r) {
    std::vector<notification> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(notification_at(r, i, 0));
    return out;
}

std::vector<outbox_notification> outbox_from(const result& r) {
    std::vector<outbox_notification> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i)
        out.push_back(outbox_notification{.id = r.text_at(i, 0),
                                          .user_id = r.text_at(i, 1),
                                          .kind = r.text_at(i, 2),
                                          .conversation_id = r.text_at(i, 3),
                                          .payload_json = r.text_at(i, 4),
                                          .created_at = r.int_at(i, 5),
                                          .due_at = r.int_at(i, 6)});
    return out;
}

}  // namespace

// ---------------------------------------------------------------- reader

std::int64_t postgres_queries::notify_cursor() {
    const result r = db_.query(sql_notify_cursor);
    return r.empty() ? 0 : r.int_at(0, 0);
}

std::vector<logged_message> postgres_queries::logged_messages_after(std::int64_t after_row_id, unix_ms created_up_to,
                                                                    int limit) {
    const result r = db_.query(sql_logged_messages, params{}.add(after_row_id).add(non_negative(limit)));
    std::vector<logged_message> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        logged_message row{.row_id = r.int_at(i, 0), .m = read_message(r, i, 1)};
        // Transactions stamp their messages when they run, so log order is about creation
        // order; the first one not yet due ends the slice so the cursor never passes it.
        if (row.m.created_at > created_up_to) break;
        out.push_back(std::move(row));
    }
    return out;
}

std::vector<outbox_notification> postgres_queries::due_outbox(unix_ms now, int limit) {
    return outbox_from(db_.query(sql_due_outbox, params{}.add(now).add(non_negative(limit))));
}

std::optional<notification> postgres_queries::open_message_notification(const std::string& user_id,
                                                                        const std::string& conversation_id) {
    const result r = db_.query(sql_open_message_notification, params{}.add(user_id).add(conversation_id));
    if (r.empty()) return std::nullopt;
    return notification_at(r, 0, 0);
}

std::optional<unix_ms> postgres_queries::last_message_notification_sent(const std::string& user_id,
                                                                        const std::string& conversation_id) {
    const result r = db_.query(sql_last_message_notification_sent, params{}.add(user_id).add(conversation_id));
    if (r.empty()) return std::nullopt;
    return r.optional_int_at(0, 0);
}

std::vector<notification> postgres_queries::due_notifications(unix_ms now, int limit) {
    return notifications_from(db_.query(sql_due_notifications, params{}.add(now).add(non_negative(limit))));
}

std::vector<notification> postgres_queries::notifications_of(const std::string& user_id,
                                                             const std::optional<std::string>& before_id, int limit) {
    params p;
    p.add(user_id);
    if (before_id) p.add(*before_id);
    else p.add_null();
    p.add(page_rows(limit));
    return notifications_from(db_.query(sql_notifications_of, p));
}

std::int64_t postgres_queries::unread_notification_count(const std::string& user_id) {
    const result r = db_.query(sql_unread_notification_count, params{}.add(user_id));
    return r.empty() ? 0 : r.int_at(0, 0);
}

std::optional<notification> postgres_queries::find_notification(const std::string& id) {
    const result r = db_.query(sql_find_notification, params{}.add(id));
    if (r.empty()) return std::nullopt;
    return notification_at(r, 0, 0);
}

std::optional<notification_setting> postgres_queries::notification_setting_of(const std::string& user_id,
                                                                              const std::string& conversation_id) {
    const result r = db_.query(sql_notification_setting, params{}.add(user_id).add(conversation_id));
    if (r.empty()) return std::nullopt;
    return notification_setting{.user_id = r.text_at(0, 0),
                                .conversation_id = r.text_at(0, 1),
                                .muted = r.bool_at(0, 2),
                                .muted_until = r.optional_int_at(0, 3),
                                .updated_at = r.int_at(0, 4)};
}

std::vector<push_subscription> postgres_queries::push_subscriptions_of(const std::string& user_id) {
    const result r = db_.query(sql_subscriptions_of, params{}.add(user_id));
    std::vector<push_subscription> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(subscription_at(r, i, 0));
    return out;
}

std::optional<push_subscription> postgres_queries::find_push_subscription(const std::string& id) {
    const result r = db_.query(sql_find_subscription, params{}.add(id));
    if (r.empty()) return std::nullopt;
    return subscription_at(r, 0, 0);
}

std::vector<due_delivery> postgres_queries::due_deliveries(unix_ms now, int limit) {
    const result r = db_.query(sql_due_deliveries, params{}.add(now).add(non_negative(limit)));
    std::vector<due_delivery> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    constexpr int s = delivery_column_count + notification_column_count;
    for (int i = 0; i < r.rows(); ++i) {
        due_delivery d{.delivery = delivery_at(r, i, 0), .notification = notification_at(r, i, delivery_column_count)};
        if (!r.is_null(i, s)) d.subscription = subscription_at(r, i, s);
        out.push_back(std::move(d));
    }
    return out;
}

std::optional<unix_ms> postgres_queries::oldest_pending_delivery() {
    const result r = db_.query(sql_oldest_pending_delivery);
    if (r.empty()) return std::nullopt;
    return r.optional_int_at(0, 0);
}

std::vector<notification_delivery> postgres_queries::deliveries_of(const std::string& notification_id) {
    const result r = db_.query(sql_deliveries_of, params{}.add(notification_id));
    std::vector<notification_delivery> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(delivery_at(r, i, 0));
    return out;
}

// ---------------------------------------------------------------- transaction

void postgres_queries::set_notify_cursor(std::int64_t row_id) { db_.query(sql_set_notify_cursor, params{}.add(row_id)); }

void postgres_queries::upsert_notification(const notification& n) {
    db_.query(sql_upsert_notification, params{}
                                           .add(n.id)
                                           .add(n.user_id)
                                           .add(n.type)
                                           .add(n.conversation_id)
                                           .add(n.message_id)
                                           .add(n.consultation_id)
                                           .add(n.title)
                                           .add(n.preview)
                                           .add(n.count)
                                           .add(n.last_seq)
                                           .add(n.created_at)
                                           .add(n.send_at)
                                           .add(n.sent_at)
                                           .add(n.state)
                                           .add(n.read_at));
}

void postgres_queries::set_outbox_sent(const std::string& outbox_id) {
    db_.query(sql_set_outbox_sent, params{}.add(outbox_id));
}

std::int64_t postgres_queries::insert_delivery(const notification_delivery& d) {
    params p;
    p.add(d.notification_id).add(d.channel);
    if (d.subscription_id.empty()) p.add_null();
    else p.add(d.subscription_id);
    p.add(d.attempts).add(d.next_attempt_at).add(d.expires_at).add(d.state);
    return db_.query(sql_insert_delivery, p).int_at(0, 0);
}

void postgres_queries::update_delivery(const notification_delivery& d) {
    db_.query(sql_update_delivery, params{}.add(d.id).add(d.attempts).add(d.next_attempt_at).add(d.state));
}

void postgres_queries::upsert_notification_setting(const notification_setting& s) {
    db_.query(sql_upsert_notification_setting,
              params{}.add(s.user_id).add(s.conversation_id).add(s.muted).add(s.muted_until).add(s.updated_at));
}

push_subscription postgres_queries::upsert_push_subscription(const push_subscription& s) {
    const result r = db_.query(
        sql_upsert_subscription,
        params{}.add(s.id).add(s.user_id).add(s.endpoint).add(s.p256dh).add(s.auth).add(s.user_agent).add(s.created_at));
    if (r.empty()) no_such("upsert_push_subscription", "subscription", s.id);
    return subscription_at(r, 0, 0);
}

bool postgres_queries::delete_push_subscription(const std::string& id) {
    return db_.query(sql_delete_subscription, params{}.add(id)).affected() > 0;
}

std::int64_t postgres_queries::mark_notifications_read(const std::string& user_id, const std::string& up_to_id,
                                                       unix_ms at) {
    return db_.query(sql_mark_notifications_read, params{}.add(user_id).add(up_to_id).add(at)).affected();
}

std::int64_t postgres_queries::prune_notifications(unix_ms before) {
    std::int64_t deleted = 0;
    for (const char* sql : {sql_prune_deliveries, sql_prune_notifications, sql_prune_outbox})
        deleted += db_.query(sql, params{}.add(before)).affected();
    return deleted;
}

}  // namespace writeen::store::postgres

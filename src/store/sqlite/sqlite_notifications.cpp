// Notifications in the SQLite engine (migration 006_notifications): the notifier's cursor over
// the message log, the notifications (in-app list and coalescing unit), their sends, Web Push
// subscriptions and per-conversation settings. See docs/NOTIFICATIONS.md.
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_queries.hpp"
#include "store/sqlite/sqlite_rows.hpp"

namespace writeen::store::sqlite {
namespace {

constexpr const char* sql_notify_cursor = "SELECT row_id FROM notify_cursor WHERE name = 'messages'";
constexpr const char* sql_set_notify_cursor =
    "INSERT INTO notify_cursor (name, row_id) VALUES ('messages', ?1) "
    "ON CONFLICT (name) DO UPDATE SET row_id = excluded.row_id";

constexpr const char* sql_logged_messages =
    "SELECT m.row_id, " WRITEEN_MESSAGE_COLUMNS WRITEEN_MESSAGES_WITH_SENDER
    "WHERE m.row_id > ?1 ORDER BY m.row_id LIMIT ?2";

constexpr const char* sql_due_outbox =
    "SELECT id, user_id, kind, conversation_id, payload_json, created_at, due_at FROM notification_outbox "
    "WHERE state = 'pending' AND due_at <= ?1 ORDER BY due_at, id LIMIT ?2";
constexpr const char* sql_set_outbox_sent = "UPDATE notification_outbox SET state = 'sent' WHERE id = ?1";

#define WRITEEN_NOTIFICATION_COLUMNS                                                                       \
    "n.id, n.user_id, n.type, n.conversation_id, n.message_id, n.consultation_id, n.title, n.preview, "    \
    "n.count, n.last_seq, n.created_at, n.send_at, n.sent_at, n.state, n.read_at"
constexpr int notification_column_count = 15;

constexpr const char* sql_open_message_notification =
    "SELECT " WRITEEN_NOTIFICATION_COLUMNS
    " FROM notifications n WHERE n.user_id = ?1 AND n.conversation_id = ?2 AND n.type = 'message' "
    "AND n.state = 'pending' ORDER BY n.created_at DESC LIMIT 1";
constexpr const char* sql_last_message_notification_sent =
    "SELECT max(n.sent_at) FROM notifications n WHERE n.user_id = ?1 AND n.conversation_id = ?2 "
    "AND n.type = 'message' AND n.state = 'sent'";
constexpr const char* sql_due_notifications =
    "SELECT " WRITEEN_NOTIFICATION_COLUMNS
    " FROM notifications n WHERE n.state = 'pending' AND n.send_at <= ?1 ORDER BY n.send_at, n.id LIMIT ?2";
constexpr const char* sql_notifications_of =
    "SELECT " WRITEEN_NOTIFICATION_COLUMNS
    " FROM notifications n WHERE n.user_id = ?1 AND n.state = 'sent' AND (?2 IS NULL OR n.id < ?2) "
    "ORDER BY n.id DESC LIMIT ?3";
constexpr const char* sql_unread_notification_count =
    "SELECT count(*) FROM notifications WHERE user_id = ?1 AND state = 'sent' AND read_at IS NULL";
constexpr const char* sql_find_notification =
    "SELECT " WRITEEN_NOTIFICATION_COLUMNS " FROM notifications n WHERE n.id = ?1";
constexpr const char* sql_upsert_notification =
    "INSERT INTO notifications (id, user_id, type, conversation_id, message_id, consultation_id, title, preview, "
    "count, last_seq, created_at, send_at, sent_at, state, read_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
    "ON CONFLICT (id) DO UPDATE SET message_id = excluded.message_id, title = excluded.title, "
    "preview = excluded.preview, count = excluded.count, last_seq = excluded.last_seq, "
    "send_at = excluded.send_at, sent_at = excluded.sent_at, state = excluded.state, read_at = excluded.read_at";
constexpr const char* sql_mark_notifications_read =
    "UPDATE notifications SET read_at = ?3 WHERE user_id = ?1 AND id <= ?2 AND state = 'sent' AND read_at IS NULL";

#define WRITEEN_DELIVERY_COLUMNS \
    "d.id, d.notification_id, d.channel, coalesce(d.subscription_id, ''), d.attempts, d.next_attempt_at, " \
    "d.expires_at, d.state"
constexpr int delivery_column_count = 8;
#define WRITEEN_SUBSCRIPTION_COLUMNS "s.id, s.user_id, s.endpoint, s.p256dh, s.auth, s.user_agent, s.created_at"

constexpr const char* sql_due_deliveries =
    "SELECT " WRITEEN_DELIVERY_COLUMNS ", " WRITEEN_NOTIFICATION_COLUMNS ", " WRITEEN_SUBSCRIPTION_COLUMNS
    " FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id "
    "LEFT JOIN push_subscriptions s ON s.id = d.subscription_id "
    "WHERE d.state = 'pending' AND d.next_attempt_at <= ?1 ORDER BY d.next_attempt_at, d.id LIMIT ?2";
constexpr const char* sql_oldest_pending_delivery =
    "SELECT min(n.sent_at) FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id "
    "WHERE d.state = 'pending'";
constexpr const char* sql_deliveries_of =
    "SELECT " WRITEEN_DELIVERY_COLUMNS " FROM notification_deliveries d WHERE d.notification_id = ?1 ORDER BY d.id";
constexpr const char* sql_insert_delivery =
    "INSERT INTO notification_deliveries (notification_id, channel, subscription_id, attempts, next_attempt_at, "
    "expires_at, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr const char* sql_update_delivery =
    "UPDATE notification_deliveries SET attempts = ?2, next_attempt_at = ?3, state = ?4 WHERE id = ?1";

constexpr const char* sql_notification_setting =
    "SELECT user_id, conversation_id, muted, muted_until, updated_at FROM notification_settings "
    "WHERE user_id = ?1 AND conversation_id = ?2";
constexpr const char* sql_upsert_notification_setting =
    "INSERT INTO notification_settings (user_id, conversation_id, muted, muted_until, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user_id, conversation_id) DO UPDATE SET muted = excluded.muted, "
    "muted_until = excluded.muted_until, updated_at = excluded.updated_at";

constexpr const char* sql_subscriptions_of =
    "SELECT " WRITEEN_SUBSCRIPTION_COLUMNS " FROM push_subscriptions s WHERE s.user_id = ?1 ORDER BY s.created_at, s.id";
constexpr const char* sql_find_subscription =
    "SELECT " WRITEEN_SUBSCRIPTION_COLUMNS " FROM push_subscriptions s WHERE s.id = ?1";
constexpr const char* sql_subscription_by_endpoint =
    "SELECT " WRITEEN_SUBSCRIPTION_COLUMNS " FROM push_subscriptions s WHERE s.endpoint = ?1";
constexpr const char* sql_upsert_subscription =
    "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, user_agent, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, "
    "p256dh = excluded.p256dh, auth = excluded.auth, user_agent = excluded.user_agent";
constexpr const char* sql_delete_subscription = "DELETE FROM push_subscriptions WHERE id = ?1";
#undef WRITEEN_NOTIFICATION_COLUMNS
#undef WRITEEN_DELIVERY_COLUMNS
#undef WRITEEN_SUBSCRIPTION_COLUMNS

notification notification_at(const query& q, int c) {
    notification n;
    n.id = q.text_at(c + 0);
    n.user_id = q.text_at(c + 1);
    n.type = q.text_at(c + 2);
    n.conversation_id = q.text_at(c + 3);
    n.message_id = q.text_at(c + 4);
    n.consultation_id = q.text_at(c + 5);
    n.title = q.text_at(c + 6);
    n.preview = q.text_at(c + 7);
    n.count = q.int_at(c + 8);
    n.last_seq = q.int_at(c + 9);
    n.created_at = q.int_at(c + 10);
    n.send_at = q.int_at(c + 11);
    n.sent_at = q.optional_int_at(c + 12);
    n.state = q.text_at(c + 13);
    n.read_at = q.optional_int_at(c + 14);
    return n;
}

notification_delivery delivery_at(const query& q, int c) {
    notification_delivery d;
    d.id = q.int_at(c + 0);
    d.notification_id = q.text_at(c + 1);
    d.channel = q.text_at(c + 2);
    d.subscription_id = q.text_at(c + 3);
    d.attempts = q.int_at(c + 4);
    d.next_attempt_at = q.int_at(c + 5);
    d.expires_at = q.int_at(c + 6);
    d.state = q.text_at(c + 7);
    return d;
}

push_subscription subscription_at(const query& q, int c) {
    return push_subscription{.id = q.text_at(c + 0),
                             .user_id = q.text_at(c + 1),
                             .endpoint = q.text_at(c + 2),
                             .p256dh = q.text_at(c + 3),
                             .auth = q.text_at(c + 4),
                             .user_agent = q.text_at(c + 5),
                             .created_at = q.int_at(c + 6)};
}

std::vector<notification> notifications_from(query& q) {
    std::vector<notification> out;
    while (q.step()) out.push_back(notification_at(q, 0));
    return out;
}

}  // namespace

// ---------------------------------------------------------------- reader

std::int64_t sqlite_queries::notify_cursor() {
    auto q = db_.prepare(sql_notify_cursor);
    return q.step() ? q.int_at(0) : 0;
}

std::vector<logged_message> sqlite_queries::logged_messages_after(std::int64_t after_row_id, unix_ms created_up_to,
                                                                  int limit) {
    auto q = db_.prepare(sql_logged_messages);
    q.bind(1, after_row_id).bind(2, std::int64_t{limit});
    std::vector<logged_message> out;
    while (q.step()) {
        logged_message row{.row_id = q.int_at(0), .m = read_message(q, 1)};
        // The writer stamps messages in commit order, to the millisecond; the first one not yet
        // due ends the slice so the cursor never passes it.
        if (row.m.created_at > created_up_to) break;
        out.push_back(std::move(row));
    }
    return out;
}

std::vector<outbox_notification> sqlite_queries::due_outbox(unix_ms now, int limit) {
    auto q = db_.prepare(sql_due_outbox);
    q.bind(1, now).bind(2, std::int64_t{limit});
    std::vector<outbox_notification> out;
    while (q.step())
        out.push_back(outbox_notification{.id = q.text_at(0),
                                          .user_id = q.text_at(1),
                                          .kind = q.text_at(2),
                                          .conversation_id = q.text_at(3),
                                          .payload_json = q.text_at(4),
                                          .created_at = q.int_at(5),
                                          .due_at = q.int_at(6)});
    return out;
}

std::optional<notification> sqlite_queries::open_message_notification(const std::string& user_id,
                                                                      const std::string& conversation_id) {
    auto q = db_.prepare(sql_open_message_notification);
    q.bind(1, user_id).bind(2, conversation_id);
    if (!q.step()) return std::nullopt;
    return notification_at(q, 0);
}

std::optional<unix_ms> sqlite_queries::last_message_notification_sent(const std::string& user_id,
                                                                      const std::string& conversation_id) {
    auto q = db_.prepare(sql_last_message_notification_sent);
    q.bind(1, user_id).bind(2, conversation_id);
    if (!q.step()) return std::nullopt;
    return q.optional_int_at(0);
}

std::vector<notification> sqlite_queries::due_notifications(unix_ms now, int limit) {
    auto q = db_.prepare(sql_due_notifications);
    q.bind(1, now).bind(2, std::int64_t{limit});
    return notifications_from(q);
}

std::vector<notification> sqlite_queries::notifications_of(const std::string& user_id,
                                                           const std::optional<std::string>& before_id, int limit) {
    auto q = db_.prepare(sql_notifications_of);
    q.bind(1, user_id);
    if (before_id) q.bind(2, *before_id);
    else q.bind_null(2);
    q.bind(3, std::int64_t{limit} + 1);
    return notifications_from(q);
}

std::int64_t sqlite_queries::unread_notification_count(const std::string& user_id) {
    auto q = db_.prepare(sql_unread_notification_count);
    q.bind(1, user_id);
    return q.step() ? q.int_at(0) : 0;
}

std::optional<notification> sqlite_queries::find_notification(const std::string& id) {
    auto q = db_.prepare(sql_find_notification);
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return notification_at(q, 0);
}

std::optional<notification_setting> sqlite_queries::notification_setting_of(const std::string& user_id,
                                                                            const std::string& conversation_id) {
    auto q = db_.prepare(sql_notification_setting);
    q.bind(1, user_id).bind(2, conversation_id);
    if (!q.step()) return std::nullopt;
    return notification_setting{.user_id = q.text_at(0),
                                .conversation_id = q.text_at(1),
                                .muted = q.bool_at(2),
                                .muted_until = q.optional_int_at(3),
                                .updated_at = q.int_at(4)};
}

std::vector<push_subscription> sqlite_queries::push_subscriptions_of(const std::string& user_id) {
    auto q = db_.prepare(sql_subscriptions_of);
    q.bind(1, user_id);
    std::vector<push_subscription> out;
    while (q.step()) out.push_back(subscription_at(q, 0));
    return out;
}

std::optional<push_subscription> sqlite_queries::find_push_subscription(const std::string& id) {
    auto q = db_.prepare(sql_find_subscription);
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return subscription_at(q, 0);
}

std::vector<due_delivery> sqlite_queries::due_deliveries(unix_ms now, int limit) {
    auto q = db_.prepare(sql_due_deliveries);
    q.bind(1, now).bind(2, std::int64_t{limit});
    std::vector<due_delivery> out;
    while (q.step()) {
        due_delivery d{.delivery = delivery_at(q, 0), .notification = notification_at(q, delivery_column_count)};
        const int s = delivery_column_count + notification_column_count;
        if (!q.text_view_at(s).empty()) d.subscription = subscription_at(q, s);
        out.push_back(std::move(d));
    }
    return out;
}

std::optional<unix_ms> sqlite_queries::oldest_pending_delivery() {
    auto q = db_.prepare(sql_oldest_pending_delivery);
    if (!q.step()) return std::nullopt;
    return q.optional_int_at(0);
}

std::vector<notification_delivery> sqlite_queries::deliveries_of(const std::string& notification_id) {
    auto q = db_.prepare(sql_deliveries_of);
    q.bind(1, notification_id);
    std::vector<notification_delivery> out;
    while (q.step()) out.push_back(delivery_at(q, 0));
    return out;
}

// ---------------------------------------------------------------- transaction

void sqlite_queries::set_notify_cursor(std::int64_t row_id) { db_.prepare(sql_set_notify_cursor).bind(1, row_id).run(); }

void sqlite_queries::upsert_notification(const notification& n) {
    db_.prepare(sql_upsert_notification)
        .bind(1, n.id)
        .bind(2, n.user_id)
        .bind(3, n.type)
        .bind(4, n.conversation_id)
        .bind(5, n.message_id)
        .bind(6, n.consultation_id)
        .bind(7, n.title)
        .bind(8, n.preview)
        .bind(9, n.count)
        .bind(10, n.last_seq)
        .bind(11, n.created_at)
        .bind(12, n.send_at)
        .bind(13, n.sent_at)
        .bind(14, n.state)
        .bind(15, n.read_at)
        .run();
}

void sqlite_queries::set_outbox_sent(const std::string& outbox_id) {
    db_.prepare(sql_set_outbox_sent).bind(1, outbox_id).run();
}

std::int64_t sqlite_queries::insert_delivery(const notification_delivery& d) {
    auto q = db_.prepare(sql_insert_delivery);
    q.bind(1, d.notification_id).bind(2, d.channel);
    if (d.subscription_id.empty()) q.bind_null(3);
    else q.bind(3, d.subscription_id);
    q.bind(4, d.attempts).bind(5, d.next_attempt_at).bind(6, d.expires_at).bind(7, d.state).run();
    return sqlite3_last_insert_rowid(db_.handle());
}

void sqlite_queries::update_delivery(const notification_delivery& d) {
    db_.prepare(sql_update_delivery).bind(1, d.id).bind(2, d.attempts).bind(3, d.next_attempt_at).bind(4, d.state).run();
}

void sqlite_queries::upsert_notification_setting(const notification_setting& s) {
    db_.prepare(sql_upsert_notification_setting)
        .bind(1, s.user_id)
        .bind(2, s.conversation_id)
        .bind(3, std::int64_t{s.muted ? 1 : 0})
        .bind(4, s.muted_until)
        .bind(5, s.updated_at)
        .run();
}

push_subscription sqlite_queries::upsert_push_subscription(const push_subscription& s) {
    db_.prepare(sql_upsert_subscription)
        .bind(1, s.id)
        .bind(2, s.user_id)
        .bind(3, s.endpoint)
        .bind(4, s.p256dh)
        .bind(5, s.auth)
        .bind(6, s.user_agent)
        .bind(7, s.created_at)
        .run();
    auto q = db_.prepare(sql_subscription_by_endpoint);
    q.bind(1, s.endpoint);
    if (!q.step()) no_such("upsert_push_subscription", "subscription", s.id);
    return subscription_at(q, 0);
}

bool sqlite_queries::delete_push_subscription(const std::string& id) {
    db_.prepare(sql_delete_subscription).bind(1, id).run();
    return db_.changes() > 0;
}

std::int64_t sqlite_queries::mark_notifications_read(const std::string& user_id, const std::string& up_to_id,
                                                     unix_ms at) {
    db_.prepare(sql_mark_notifications_read).bind(1, user_id).bind(2, up_to_id).bind(3, at).run();
    return db_.changes();
}

}  // namespace writeen::store::sqlite

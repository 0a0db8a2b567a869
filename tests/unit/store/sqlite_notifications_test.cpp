#include <gtest/gtest.h>

#include "store/store.hpp"
#include "store_test_support.hpp"

namespace writeen::store::testing {
namespace {

class sqlite_notifications : public sqlite_store_test {};

notification sample(const std::string& id, const std::string& user, const std::string& state = "sent") {
    return notification{.id = id, .user_id = user, .type = "message", .conversation_id = "c1", .title = "t",
                        .preview = "p", .created_at = 1000, .send_at = 1000, .state = state};
}

TEST_F(sqlite_notifications, lists_sent_notifications_newest_first_and_marks_them_read) {
    write_and_wait(db(), [](transaction& tx) {
        tx.upsert_notification(sample("65a500000000000000000001", "bob"));
        tx.upsert_notification(sample("65a500000000000000000002", "bob"));
        tx.upsert_notification(sample("65a500000000000000000003", "bob", "pending"));
        tx.upsert_notification(sample("65a500000000000000000004", "ann"));
    });
    auto list = read_value(db(), [](reader& r) { return r.notifications_of("bob", std::nullopt, 10); });
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].id, "65a500000000000000000002");
    auto older = read_value(db(), [](reader& r) { return r.notifications_of("bob", std::string("65a500000000000000000002"), 10); });
    ASSERT_EQ(older.size(), 1u);
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.unread_notification_count("bob"); }), 2);
    std::int64_t marked = 0;
    write_and_wait(db(), [&](transaction& tx) { marked = tx.mark_notifications_read("bob", "65a500000000000000000001", 5000); });
    EXPECT_EQ(marked, 1);
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.unread_notification_count("bob"); }), 1);
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.unread_notification_count("ann"); }), 1);
}

TEST_F(sqlite_notifications, a_known_endpoint_keeps_its_id_and_deleting_it_removes_its_sends) {
    push_subscription first, second;
    write_and_wait(db(), [&](transaction& tx) {
        first = tx.upsert_push_subscription({.id = "s1", .user_id = "bob", .endpoint = "https://push.test/1",
                                             .p256dh = "k1", .auth = "a1", .created_at = 1});
        second = tx.upsert_push_subscription({.id = "s2", .user_id = "bob", .endpoint = "https://push.test/1",
                                              .p256dh = "k2", .auth = "a2", .created_at = 2});
        tx.upsert_notification(sample("65a500000000000000000001", "bob"));
        tx.insert_delivery({.notification_id = "65a500000000000000000001", .channel = "webpush", .subscription_id = "s1",
                            .next_attempt_at = 1000, .expires_at = 9000});
        tx.insert_delivery({.notification_id = "65a500000000000000000001", .channel = "webhook",
                            .next_attempt_at = 1000, .expires_at = 9000});
    });
    EXPECT_EQ(second.id, "s1");
    EXPECT_EQ(second.p256dh, "k2");
    auto due = read_value(db(), [](reader& r) { return r.due_deliveries(2000, 10); });
    ASSERT_EQ(due.size(), 2u);
    EXPECT_TRUE(due[0].subscription.has_value() != due[1].subscription.has_value());
    EXPECT_TRUE(read_value(db(), [](reader& r) { return r.due_deliveries(999, 10); }).empty());
    bool deleted = false;
    write_and_wait(db(), [&](transaction& tx) { deleted = tx.delete_push_subscription("s1"); });
    EXPECT_TRUE(deleted);
    auto left = read_value(db(), [](reader& r) { return r.deliveries_of("65a500000000000000000001"); });
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].channel, "webhook");
}

TEST_F(sqlite_notifications, a_send_leaves_the_due_list_once_delivered) {
    std::int64_t id = 0;
    write_and_wait(db(), [&](transaction& tx) {
        tx.upsert_notification(sample("65a500000000000000000001", "bob"));
        id = tx.insert_delivery({.notification_id = "65a500000000000000000001", .channel = "webhook",
                                 .next_attempt_at = 1000, .expires_at = 9000});
    });
    write_and_wait(db(), [&](transaction& tx) {
        tx.update_delivery({.id = id, .attempts = 1, .next_attempt_at = 1000, .state = "delivered"});
    });
    EXPECT_TRUE(read_value(db(), [](reader& r) { return r.due_deliveries(5000, 10); }).empty());
    EXPECT_FALSE(read_value(db(), [](reader& r) { return r.oldest_pending_delivery(); }).has_value());
}

TEST_F(sqlite_notifications, the_cursor_starts_at_the_newest_message_and_is_kept) {
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.notify_cursor(); }), 0);
    write_and_wait(db(), [](transaction& tx) { tx.set_notify_cursor(42); });
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.notify_cursor(); }), 42);
}

TEST_F(sqlite_notifications, settings_are_per_user_and_conversation) {
    write_and_wait(db(), [](transaction& tx) {
        tx.upsert_notification_setting({.user_id = "bob", .conversation_id = "c1", .muted = true, .muted_until = 5, .updated_at = 1});
    });
    auto s = read_value(db(), [](reader& r) { return r.notification_setting_of("bob", "c1"); });
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->muted);
    EXPECT_EQ(s->muted_until, 5);
    EXPECT_FALSE(read_value(db(), [](reader& r) { return r.notification_setting_of("ann", "c1"); }));
}

}  // namespace
}  // namespace writeen::store::testing

#include "notify/notification_planner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "../store/store_test_support.hpp"

namespace writeen::notify {
namespace {

using store::testing::append;
using store::testing::make_conversation;
using store::testing::make_message;
using store::testing::write_and_wait;

class notification_planner_test : public store::testing::sqlite_store_test {
protected:
    void SetUp() override {
        sqlite_store_test::SetUp();
        write_and_wait(db(), [](store::transaction& tx) { tx.insert_conversation(make_conversation("c1", {"ann", "bob", "cid"})); });
    }
    std::int64_t post(const std::string& sender, const std::string& text, unix_ms at, std::string reply_to = {}) {
        auto m = make_message("c1", sender, text, at);
        m.reply_to = std::move(reply_to);
        std::int64_t seq = 0;
        write_and_wait(db(), [&](store::transaction& tx) { seq = append(tx, m); });
        ids_[seq] = m.id;
        return seq;
    }
    round_plan round(unix_ms now) {
        round_plan plan;
        db().read([&](store::reader& q) {
            plan = plan_round(q, now, options_, [this](const std::string& u) { return activity_[u]; });
        });
        write_and_wait(db(), [&](store::transaction& tx) { apply(tx, plan); });
        return plan;
    }
    std::vector<notification> sent_to(const std::string& user) {
        return store::testing::read_value(db(), [&](store::reader& q) { return q.notifications_of(user, std::nullopt, 100); });
    }

    planner_options options_{.delay_ms = 1000, .idle_ms = 5000, .coalesce_ms = 10000, .webhook = true};
    std::map<std::string, std::int64_t> activity_;
    std::map<std::int64_t, std::string> ids_;
};

TEST_F(notification_planner_test, waits_for_the_delay_then_notifies_everyone_but_the_sender) {
    post("ann", "hello", 10'000);
    EXPECT_TRUE(round(10'500).empty());
    const auto plan = round(11'000);
    ASSERT_EQ(plan.notifications.size(), 2u);
    EXPECT_EQ(plan.deliveries.size(), 2u);  // the webhook for each
    ASSERT_EQ(sent_to("bob").size(), 1u);
    EXPECT_EQ(sent_to("bob")[0].preview, "hello");
    EXPECT_TRUE(sent_to("ann").empty());
    EXPECT_TRUE(round(12'000).empty());  // the cursor moved: nothing twice
}

TEST_F(notification_planner_test, a_reader_or_a_looking_user_gets_nothing) {
    const auto seq = post("ann", "hello", 10'000);
    write_and_wait(db(), [&](store::transaction& tx) { tx.advance_read_cursor("c1", "bob", seq, 10'100); });
    activity_["cid"] = 8'000;  // within idle_ms of 11'000
    round(11'000);
    EXPECT_TRUE(sent_to("bob").empty());
    EXPECT_TRUE(sent_to("cid").empty());
}

TEST_F(notification_planner_test, coalesces_per_conversation_and_cancels_what_was_read_meanwhile) {
    post("ann", "one", 10'000);
    round(11'000);
    ASSERT_EQ(sent_to("bob").size(), 1u);
    post("ann", "two", 12'000);
    post("ann", "three", 12'001);
    round(13'100);
    EXPECT_EQ(sent_to("bob").size(), 1u);  // the second waits for the coalescing interval
    round(21'100);
    const auto bob = sent_to("bob");
    ASSERT_EQ(bob.size(), 2u);
    EXPECT_EQ(bob[0].count, 2);
    EXPECT_EQ(bob[0].preview, "three");
    EXPECT_EQ(sent_to("cid").size(), 2u);
}

TEST_F(notification_planner_test, read_before_the_coalesced_send_cancels_it) {
    post("ann", "one", 10'000);
    round(11'000);
    const auto seq = post("ann", "two", 12'000);
    round(13'100);
    write_and_wait(db(), [&](store::transaction& tx) { tx.advance_read_cursor("c1", "bob", seq, 14'000); });
    round(21'100);
    EXPECT_EQ(sent_to("bob").size(), 1u);
    EXPECT_EQ(sent_to("cid").size(), 2u);
}

TEST_F(notification_planner_test, muted_users_get_replies_and_mentions_only) {
    write_and_wait(db(), [](store::transaction& tx) {
        tx.upsert_notification_setting({.user_id = "bob", .conversation_id = "c1", .muted = true, .updated_at = 1});
    });
    const auto mine = post("bob", "question", 9'000);
    round(10'000);
    post("ann", "chatter", 10'000);
    post("ann", "answer", 10'001, ids_[mine]);
    post("ann", "hey @bob", 10'002);
    round(11'100);
    std::vector<std::string> types;
    for (const auto& n : sent_to("bob")) types.push_back(n.type);
    std::sort(types.begin(), types.end());
    EXPECT_EQ(types, (std::vector<std::string>{"mention", "reply"}));
}

TEST_F(notification_planner_test, the_cursor_never_passes_a_message_not_yet_due) {
    post("ann", "early", 10'000);
    post("ann", "late", 20'000);
    const auto plan = round(11'000);
    ASSERT_TRUE(plan.cursor);
    EXPECT_EQ(sent_to("bob").size(), 1u);
    round(20'500);
    EXPECT_EQ(sent_to("bob").size(), 1u);
    round(21'000);
    EXPECT_EQ(sent_to("bob").size(), 2u);
}

TEST_F(notification_planner_test, consultation_outbox_rows_become_notifications_once) {
    write_and_wait(db(), [](store::transaction& tx) {
        tx.insert_notification({.id = "65a500000000000000000001", .user_id = "bob", .kind = "consultation_invite",
                                .conversation_id = "c1",
                                .payload_json = R"({"consultationId":"k1","title":"Bab 3","preview":"Invited"})",
                                .created_at = 5'000, .due_at = 5'000});
    });
    round(6'000);
    round(7'000);
    const auto bob = sent_to("bob");
    ASSERT_EQ(bob.size(), 1u);
    EXPECT_EQ(bob[0].id, "65a500000000000000000001");
    EXPECT_EQ(bob[0].type, "consultation_invite");
    EXPECT_EQ(bob[0].consultation_id, "k1");
    EXPECT_EQ(bob[0].title, "Bab 3");
}

}  // namespace
}  // namespace writeen::notify

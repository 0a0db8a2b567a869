#include "notify/notification_rules.hpp"

#include <gtest/gtest.h>

#include "notify/webhook_channel.hpp"

namespace writeen::notify {
namespace {

TEST(notification_rules, preview_is_cut_at_140_code_points_never_inside_one) {
    EXPECT_EQ(cut_preview("short"), "short");
    std::string ascii(200, 'a');
    EXPECT_EQ(cut_preview(ascii), std::string(140, 'a'));
    std::string wide;
    for (int i = 0; i < 150; ++i) wide += "é";  // two bytes each
    const auto cut = cut_preview(wide);
    EXPECT_EQ(cut.size(), 280u);
    std::string emoji;
    for (int i = 0; i < 141; ++i) emoji += "👋";  // four bytes each
    EXPECT_EQ(cut_preview(emoji).size(), 560u);
}

TEST(notification_rules, preview_ends_where_invalid_utf8_starts) {
    EXPECT_EQ(cut_preview("ok\xff\xfe more"), "ok");
}

TEST(notification_rules, a_mention_is_at_user_id_between_non_word_characters) {
    EXPECT_TRUE(mentions("@bob hi", "bob"));
    EXPECT_TRUE(mentions("hi @bob", "bob"));
    EXPECT_TRUE(mentions("hi @bob, look", "bob"));
    EXPECT_TRUE(mentions("(@bob)", "bob"));
    EXPECT_TRUE(mentions("@bobby and @bob", "bob"));
    EXPECT_FALSE(mentions("@bobby", "bob"));
    EXPECT_FALSE(mentions("mail bob@bob.test", "bob"));
    EXPECT_FALSE(mentions("bob", "bob"));
    EXPECT_FALSE(mentions("@", "bob"));
    EXPECT_FALSE(mentions("@bob", ""));
    EXPECT_TRUE(mentions("@student-1-abc!", "student-1-abc"));
    EXPECT_FALSE(mentions("@student-1-abcd", "student-1-abc"));
}

TEST(notification_rules, nobody_looking_or_reading_gets_a_notice_and_mute_keeps_only_replies_and_mentions) {
    EXPECT_EQ(decide({}), message_notice::message);
    EXPECT_EQ(decide({.is_sender = true}), message_notice::none);
    EXPECT_EQ(decide({.has_read = true}), message_notice::none);
    EXPECT_EQ(decide({.active_socket = true}), message_notice::none);
    EXPECT_EQ(decide({.active_socket = true, .reply_to_recipient = true}), message_notice::none);
    EXPECT_EQ(decide({.muted = true}), message_notice::none);
    EXPECT_EQ(decide({.muted = true, .reply_to_recipient = true}), message_notice::reply);
    EXPECT_EQ(decide({.muted = true, .mentions_recipient = true}), message_notice::mention);
    EXPECT_EQ(decide({.reply_to_recipient = true, .mentions_recipient = true}), message_notice::reply);
}

TEST(notification_rules, mute_ends_at_muted_until) {
    EXPECT_FALSE(muted_at(false, std::nullopt, 100));
    EXPECT_TRUE(muted_at(true, std::nullopt, 100));
    EXPECT_TRUE(muted_at(true, 101, 100));
    EXPECT_FALSE(muted_at(true, 100, 100));
}

TEST(notification_rules, backoff_doubles_from_one_second_to_ten_minutes_with_full_jitter) {
    EXPECT_EQ(backoff::ceiling_ms(1), 1000);
    EXPECT_EQ(backoff::ceiling_ms(2), 2000);
    EXPECT_EQ(backoff::ceiling_ms(5), 16000);
    EXPECT_EQ(backoff::ceiling_ms(10), 512000);
    EXPECT_EQ(backoff::ceiling_ms(11), 600000);
    EXPECT_EQ(backoff::ceiling_ms(1000), 600000);
    std::mt19937_64 random(42);
    std::int64_t low = backoff::cap_ms, high = 0;
    for (int i = 0; i < 2000; ++i) {
        const auto d = backoff::delay_ms(12, random);
        ASSERT_GE(d, 100);
        ASSERT_LE(d, backoff::cap_ms);
        low = std::min(low, d);
        high = std::max(high, d);
    }
    EXPECT_LT(low, 60000);   // spread over the whole range, not bunched at the ceiling
    EXPECT_GT(high, 540000);
}

TEST(webhook_channel, signature_is_hex_hmac_sha256_of_the_body) {
    // RFC 4231 test case 2.
    EXPECT_EQ(webhook_signature("what do ya want for nothing?", "Jefe"),
              "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(webhook_channel, request_carries_the_id_and_signature_headers) {
    webhook_channel hook("http://127.0.0.1:9/hook", "0123456789abcdef");
    notification n{.id = "65a5000000000000000000aa", .user_id = "bob", .type = "message", .conversation_id = "c1"};
    const auto post = hook.request_for(n, 7);
    EXPECT_EQ(post.tag, 7);
    EXPECT_EQ(post.url, "http://127.0.0.1:9/hook");
    bool id = false, signature = false;
    for (const auto& [k, v] : post.headers) {
        if (k == "X-Writeen-Notification-Id") id = v == n.id;
        if (k == "X-Writeen-Signature") signature = v == webhook_signature(post.body, "0123456789abcdef");
    }
    EXPECT_TRUE(id);
    EXPECT_TRUE(signature);
    EXPECT_EQ(post.body.find("messageId"), std::string::npos);  // optional fields only when set
}

}  // namespace
}  // namespace writeen::notify

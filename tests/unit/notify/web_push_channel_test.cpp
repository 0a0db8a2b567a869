#include "notify/web_push_channel.hpp"

#include <gtest/gtest.h>

namespace writeen::notify {
namespace {

TEST(web_push_channel, only_public_unicast_addresses_receive_push_messages) {
    EXPECT_TRUE(public_push_address("8.8.8.8", false));
    EXPECT_TRUE(public_push_address("2a00:1450:4001:81c::200a", false));
    for (const char* internal : {"10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "169.254.169.254",
                                 "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::", "fe80::1",
                                 "fc00::1", "fd12:3456::1", "::ffff:10.0.0.1", "2001:db8::1", "2002:a00:1::1"})
        EXPECT_FALSE(public_push_address(internal, false)) << internal;
    EXPECT_TRUE(public_push_address("172.32.0.1", false));
}

TEST(web_push_channel, loopback_only_when_allowed) {
    EXPECT_FALSE(public_push_address("127.0.0.1", false));
    EXPECT_FALSE(public_push_address("::1", false));
    EXPECT_FALSE(public_push_address("::ffff:127.0.0.1", false));
    EXPECT_TRUE(public_push_address("127.0.0.1", true));
    EXPECT_TRUE(public_push_address("::1", true));
    EXPECT_FALSE(public_push_address("not an address", true));
}

TEST(web_push_channel, refuses_an_endpoint_on_loopback_unless_allowed) {
    auto key = vapid_key::generate();
    web_push_channel strict(key, {.vapid_subject = "mailto:ops@writeen.invalid"}, false);
    notification n{.id = "65a5000000000000000000aa", .type = "message", .conversation_id = "c1"};
    push_subscription s{.id = "s1", .endpoint = "http://127.0.0.1:9/push", .p256dh = "x", .auth = "y"};
    std::string why;
    EXPECT_FALSE(strict.request_for(n, s, 1, why));
    EXPECT_NE(why.find("private or loopback"), std::string::npos) << why;
}

}  // namespace
}  // namespace writeen::notify

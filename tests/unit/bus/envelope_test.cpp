#include "bus/envelope.hpp"

#include <gtest/gtest.h>

namespace writeen::bus {
namespace {

TEST(Envelope, DeliveryRoundTripsAndDropsTheConnectionId) {
    envelope e;
    e.origin_node = "node-a";
    e.d.to = delivery::audience::users;
    e.d.user_ids = {"u-1", "u-2"};
    e.d.except_connection = 42;
    e.d.frame = std::make_shared<const std::string>("{\"event\":\"x\"}");
    const auto back = decode(encode(e));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->origin_node, "node-a");
    EXPECT_EQ(back->d.user_ids, e.d.user_ids);
    EXPECT_EQ(*back->d.frame, *e.d.frame);
    EXPECT_EQ(back->d.except_connection, 0u);  // connection ids mean nothing on another node
}

TEST(Envelope, JoinedAndInvalidationRoundTrip) {
    envelope j;
    j.origin_node = "n";
    j.d.to = delivery::audience::joined;
    j.d.conversation_id = "c-1";
    j.d.except_user = "u-1";
    const auto jb = decode(encode(j));
    ASSERT_TRUE(jb);
    EXPECT_EQ(jb->d.to, delivery::audience::joined);
    EXPECT_EQ(jb->d.except_user, "u-1");
    envelope i;
    i.what = envelope::kind::invalidation;
    i.origin_node = "n";
    i.conversation_id = "c-9";
    const auto ib = decode(encode(i));
    ASSERT_TRUE(ib);
    EXPECT_EQ(ib->what, envelope::kind::invalidation);
    EXPECT_EQ(ib->conversation_id, "c-9");
}

TEST(Envelope, PresenceAndActivityRoundTrip) {
    envelope p;
    p.what = envelope::kind::presence;
    p.origin_node = "node-b";
    p.here = true;
    p.users = {{"u-1", 1'780'000'000'123}};
    const auto pb = decode(encode(p));
    ASSERT_TRUE(pb);
    EXPECT_EQ(pb->what, envelope::kind::presence);
    EXPECT_TRUE(pb->here);
    ASSERT_EQ(pb->users.size(), 1u);
    EXPECT_EQ(pb->users[0].user_id, "u-1");
    EXPECT_EQ(pb->users[0].last_activity_ms, 1'780'000'000'123);
    p.here = false;
    EXPECT_FALSE(decode(encode(p))->here);

    envelope a;
    a.what = envelope::kind::activity;
    a.origin_node = "node-b";
    a.users = {{"u-1", 5}, {"u-2", 0}};
    const auto ab = decode(encode(a));
    ASSERT_TRUE(ab);
    EXPECT_EQ(ab->what, envelope::kind::activity);
    ASSERT_EQ(ab->users.size(), 2u);
    EXPECT_EQ(ab->users[1].user_id, "u-2");
    EXPECT_EQ(ab->users[0].last_activity_ms, 5);
    a.users.clear();  // a node without users says so
    EXPECT_TRUE(decode(encode(a)));
}

TEST(Envelope, RefusesPresenceAndActivityEncodeDidNotProduce) {
    envelope p;
    p.what = envelope::kind::presence;
    p.origin_node = "n";
    p.here = true;
    p.users = {{"u", 1}};
    const std::string good = encode(p);
    std::string bad_flag = good;
    bad_flag[3 + 4 + 1] = 'x';  // "W1P", origin (4 + 1 bytes), then the flag
    EXPECT_FALSE(decode(bad_flag));
    p.users.push_back({"v", 2});  // a presence envelope names exactly one user
    EXPECT_FALSE(decode(encode(p)));
    p.users.clear();
    EXPECT_FALSE(decode(encode(p)));
    EXPECT_FALSE(decode(good + "x"));
    EXPECT_FALSE(decode(good.substr(0, good.size() - 1)));
    std::string negative = good;  // an activity above INT64_MAX is no Unix time
    negative[good.size() - 8] = '\x80';
    EXPECT_FALSE(decode(negative));
    // An activity count the bytes cannot hold is refused before anything is allocated.
    std::string huge = "W1A";
    huge += std::string("\0\0\0\1n", 5) + std::string("\0\1\x86\x9f", 4) + std::string(20, '\0');
    EXPECT_FALSE(decode(huge));
}

TEST(Envelope, RefusesWhatEncodeDidNotProduce) {
    envelope e;
    e.origin_node = "node-a";
    e.d.user_ids = {"u-1"};
    const std::string good = encode(e);
    EXPECT_FALSE(decode(""));
    EXPECT_FALSE(decode("W2" + good.substr(2)));           // unknown version
    EXPECT_FALSE(decode(good + "x"));                     // trailing bytes
    EXPECT_FALSE(decode(good.substr(0, good.size() - 1)));  // cut short
    // A user count the bytes cannot hold is refused before anything is allocated.
    std::string huge = "W1D";
    huge += std::string("\0\0\0\1n", 5) + "u" + std::string("\0\1\x86\x9f", 4);
    EXPECT_FALSE(decode(huge));
}

TEST(LocalBus, AnnouncesEachChangeOnceWhateverTheOrderOfCalls) {
    struct view final : local_view {
        bool here = false;
        bool has_user(const std::string&) const override { return here; }
        bool has_conversation(const std::string&) const override { return false; }
        std::vector<std::string> users() const override { return {}; }
        std::vector<std::string> conversations() const override { return {}; }
        std::int64_t local_activity_of(const std::string&) const override { return 0; }
    } v;
    local_bus bus;
    std::vector<bool> seen;
    bus.on_delivery([](const delivery&) {}, v);
    bus.on_presence([&](const std::string&, bool online) { seen.push_back(online); });
    int registered = 0;
    v.here = true;
    bus.user_changed("u", [&] { ++registered; });
    bus.user_changed("u", [&] { ++registered; });  // a second call with nothing new says nothing
    v.here = false;
    bus.user_changed("u", nullptr);
    EXPECT_EQ(seen, (std::vector<bool>{true, false}));
    EXPECT_EQ(registered, 2);  // one node: registered at once, every time
    EXPECT_FALSE(bus.online_elsewhere("u"));
}

}  // namespace
}  // namespace writeen::bus

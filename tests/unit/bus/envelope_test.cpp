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
    } v;
    local_bus bus;
    std::vector<bool> seen;
    bus.on_delivery([](const delivery&) {}, v);
    bus.on_presence([&](const std::string&, bool online) { seen.push_back(online); });
    v.here = true;
    bus.user_changed("u");
    bus.user_changed("u");  // a second call with nothing new says nothing
    v.here = false;
    bus.user_changed("u");
    EXPECT_EQ(seen, (std::vector<bool>{true, false}));
}

}  // namespace
}  // namespace writeen::bus

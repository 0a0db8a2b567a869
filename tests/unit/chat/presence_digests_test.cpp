#include "chat/presence_digests.hpp"

#include <thread>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace writeen::chat {
namespace {

TEST(presence_digests, keeps_each_users_latest_state_per_conversation_and_empties_on_take) {
    presence_digests d;
    d.add("big", "u2", "online", 1000);
    d.add("big", "u1", "online", 1000);
    d.add("big", "u2", "offline", 2000);  // replaces u2's online
    d.add("lecture", "u1", "online", 1000);

    const auto taken = d.take();
    ASSERT_EQ(taken.size(), 2u);
    EXPECT_EQ(taken[0].conversation_id, "big");
    ASSERT_EQ(taken[0].changes.size(), 2u);
    EXPECT_EQ(taken[0].changes[0].user_id, "u1");
    EXPECT_EQ(taken[0].changes[0].status, "online");
    EXPECT_EQ(taken[0].changes[1].user_id, "u2");
    EXPECT_EQ(taken[0].changes[1].status, "offline");
    EXPECT_EQ(taken[0].changes[1].last_seen, 2000);
    EXPECT_EQ(taken[1].conversation_id, "lecture");
    ASSERT_EQ(taken[1].changes.size(), 1u);

    EXPECT_TRUE(d.take().empty()) << "a take leaves nothing pending";
}

TEST(presence_digests, loses_no_change_added_while_another_thread_takes) {
    presence_digests d;
    constexpr int users = 20'000;
    std::size_t seen = 0;
    std::thread adder([&] {
        for (int i = 0; i < users; ++i) d.add("big", "u" + std::to_string(i), "online", i);
    });
    for (int round = 0; round < 1000; ++round)
        for (const auto& digest : d.take()) seen += digest.changes.size();
    adder.join();
    for (const auto& digest : d.take()) seen += digest.changes.size();
    EXPECT_EQ(seen, static_cast<std::size_t>(users));
}

TEST(presence_digests, event_lists_every_change_with_its_status_and_last_seen) {
    const std::vector<proto::presence_change> changes{{"u1", "online", 1'700'000'000'000},
                                                      {"u2", "offline", 1'700'000'001'500}};
    const auto frame = proto::presence_digest_event("big", changes);
    const auto v = boost::json::parse(*frame).as_object();
    EXPECT_EQ(v.at("event").as_string(), "presence_digest");
    const auto& data = v.at("data").as_object();
    EXPECT_EQ(data.at("conversationId").as_string(), "big");
    const auto& users = data.at("users").as_array();
    ASSERT_EQ(users.size(), 2u);
    EXPECT_EQ(users[0].at("userId").as_string(), "u1");
    EXPECT_EQ(users[0].at("status").as_string(), "online");
    EXPECT_EQ(users[1].at("status").as_string(), "offline");
    EXPECT_EQ(users[1].at("lastSeen").as_string(), "2023-11-14T22:13:21.500Z");
}

}  // namespace
}  // namespace writeen::chat

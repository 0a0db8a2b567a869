#include "hub/hub.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "hub/rate_limiter.hpp"
#include "hub/typing_tracker.hpp"

namespace writeen::hub {
namespace {

class counting_connection final : public connection {
public:
    counting_connection(std::uint64_t id, std::string user) : id_(id), user_(std::move(user)) {}
    std::uint64_t id() const override { return id_; }
    const std::string& user_id() const override { return user_; }
    void deliver(std::shared_ptr<const std::string>) override { ++frames; }
    void close(std::uint16_t, std::string) override { ++closes; }
    int frames = 0;
    int closes = 0;

private:
    std::uint64_t id_;
    std::string user_;
};

TEST(hub, first_and_last_socket_of_a_user_mark_online_and_offline) {
    bus::local_bus bus;
    hub h(bus);
    auto a = std::make_shared<counting_connection>(1, "u");
    auto b = std::make_shared<counting_connection>(2, "u");
    EXPECT_TRUE(h.attach(a));
    EXPECT_FALSE(h.attach(b));
    EXPECT_TRUE(h.is_online("u"));
    EXPECT_FALSE(h.detach(*a));
    EXPECT_TRUE(h.detach(*b));
    EXPECT_FALSE(h.is_online("u"));
    EXPECT_EQ(h.connection_count(), 0u);
}

TEST(hub, last_activity_of_a_user_is_the_latest_over_their_sockets) {
    bus::local_bus bus;
    hub h(bus);
    EXPECT_EQ(h.last_activity_of("u"), 0);
    auto a = std::make_shared<counting_connection>(1, "u");
    auto b = std::make_shared<counting_connection>(2, "u");
    a->touch(1000);
    b->touch(3000);
    h.attach(a);
    EXPECT_EQ(h.last_activity_of("u"), 1000);
    h.attach(b);
    EXPECT_EQ(h.last_activity_of("u"), 3000);
    a->touch(5000);
    EXPECT_EQ(h.last_activity_of("u"), 5000);
    h.detach(*a);
    EXPECT_EQ(h.last_activity_of("u"), 3000);
    EXPECT_EQ(h.last_activity_of("v"), 0);
}

// A bus that knows of users on other nodes (as bus::redis_bus learns from their envelopes), and
// holds registrations back until told, as Redis answers later.
namespace wb = writeen::bus;  // inside a bus::bus, "bus" names the class

class other_nodes_bus final : public wb::bus {
public:
    void publish(const wb::delivery&) override {}
    void on_delivery(wb::delivery_handler, const wb::local_view& view) override { view_ = &view; }
    void on_presence(wb::presence_handler) override {}
    void user_changed(const std::string&, wb::registered_handler registered) override {
        if (registered) waiting.push_back(std::move(registered));
    }
    void conversation_changed(const std::string&) override {}
    bool online_elsewhere(const std::string& user) const override { return user == "remote"; }
    std::int64_t activity_elsewhere(const std::string& user) const override { return user == "remote" || user == "u" ? 4000 : 0; }
    bool healthy() const override { return true; }
    std::string_view name() const override { return "test"; }
    const wb::local_view* view_ = nullptr;
    std::vector<wb::registered_handler> waiting;
};

TEST(hub, a_user_on_another_node_is_online_but_not_in_the_local_view) {
    other_nodes_bus bus;
    hub h(bus);
    EXPECT_TRUE(h.is_online("remote"));
    EXPECT_FALSE(h.has_user("remote"));  // the bus announces only this node's sockets
    EXPECT_FALSE(h.is_online("nobody"));
    EXPECT_EQ(h.last_activity_of("remote"), 4000);
    auto a = std::make_shared<counting_connection>(1, "u");
    a->touch(1000);
    h.attach(a);
    EXPECT_EQ(h.last_activity_of("u"), 4000);  // the latest over every node
    EXPECT_EQ(h.local_activity_of("u"), 1000);
    a->touch(9000);
    EXPECT_EQ(h.last_activity_of("u"), 9000);
}

TEST(hub, every_socket_waits_for_the_bus_to_register_it) {
    other_nodes_bus bus;
    hub h(bus);
    int registered = 0;
    h.attach(std::make_shared<counting_connection>(1, "u"), [&] { ++registered; });
    // The second socket asks as well: the first one's registration may not have answered yet.
    h.attach(std::make_shared<counting_connection>(2, "u"), [&] { ++registered; });
    EXPECT_EQ(registered, 0);
    ASSERT_EQ(bus.waiting.size(), 2u);
    for (auto& done : bus.waiting) done();
    EXPECT_EQ(registered, 2);
}

TEST(hub, delivery_skips_the_excluded_socket_and_unjoined_sockets) {
    bus::local_bus bus;
    hub h(bus);
    auto a = std::make_shared<counting_connection>(1, "u");
    auto b = std::make_shared<counting_connection>(2, "u");
    auto c = std::make_shared<counting_connection>(3, "v");
    for (auto& x : {a, b, c}) h.attach(x);
    auto frame = std::make_shared<const std::string>("{}");
    h.send_to_users({"u", "v", "nobody"}, frame, a->id());
    EXPECT_EQ(a->frames, 0);
    EXPECT_EQ(b->frames, 1);
    EXPECT_EQ(c->frames, 1);
    h.join(c, "room");
    h.send_to_joined("room", frame, "u");
    EXPECT_EQ(c->frames, 2);
    EXPECT_EQ(b->frames, 1);
}

/// A socket whose delivery asks the hub something, as a slow or reentrant send would.
class asking_connection final : public connection {
public:
    asking_connection(std::uint64_t id, std::string user, hub& h) : id_(id), user_(std::move(user)), hub_(h) {}
    std::uint64_t id() const override { return id_; }
    const std::string& user_id() const override { return user_; }
    void deliver(std::shared_ptr<const std::string>) override { saw_online = hub_.is_online(user_); }
    void close(std::uint16_t, std::string) override {}
    bool saw_online = false;

private:
    std::uint64_t id_;
    std::string user_;
    hub& hub_;
};

TEST(hub, delivers_outside_its_lock_so_a_socket_may_call_the_hub_while_sending) {
    bus::local_bus bus;
    hub h(bus);
    auto a = std::make_shared<asking_connection>(1, "u", h);
    h.attach(a);
    h.join(a, "room");
    // Under the lock this would deadlock: run it apart and give up after a few seconds.
    auto sent = std::async(std::launch::async, [&] {
        h.send_to_users({"u"}, std::make_shared<const std::string>("{}"));
        h.send_to_joined("room", std::make_shared<const std::string>("{}"), "other");
    });
    ASSERT_EQ(sent.wait_for(std::chrono::seconds(5)), std::future_status::ready) << "delivery deadlocked";
    EXPECT_TRUE(a->saw_online);
}

TEST(rate_limiter, allows_a_burst_of_twice_the_rate_then_refuses_with_a_wait) {
    rate_limiter limiter(5);
    int allowed = 0;
    for (int i = 0; i < 20; ++i)
        if (!limiter.take("u", 1000)) ++allowed;
    EXPECT_EQ(allowed, 10);
    auto wait = limiter.take("u", 1000);
    ASSERT_TRUE(wait.has_value());
    EXPECT_GE(*wait, 1);
    EXPECT_FALSE(limiter.take("u", 1300).has_value());  // 0.3 s refills 1.5 tokens
    EXPECT_FALSE(limiter.take("other", 1000).has_value());
}

TEST(typing_tracker, typing_expires_after_its_time_without_a_repeat) {
    typing_tracker tracker(6000);
    tracker.started({"c", "u", "Ayu"}, 0);
    EXPECT_TRUE(tracker.expire(5999).empty());
    tracker.started({"c", "u", "Ayu"}, 5000);  // a repeat extends it
    EXPECT_TRUE(tracker.expire(10999).empty());
    auto expired = tracker.expire(11000);
    ASSERT_EQ(expired.size(), 1u);
    EXPECT_EQ(expired[0].user_id, "u");
    EXPECT_FALSE(tracker.stopped("c", "u"));
}

}  // namespace
}  // namespace writeen::hub

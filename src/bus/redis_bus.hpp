#pragma once
// The bus across nodes, on Redis pub/sub (hiredis, driven by the server's io_context through
// bus/redis_link). Two connections: one subscribed, one for commands.
//
// Routing: each node keeps, in Redis, which users it has sockets for (sorted set
// writeen:user:<id>, member node id, score its expiry) and which conversations its sockets
// joined (writeen:conv:<id>), refreshed by a heartbeat. A delivery is served to this node's
// sockets at once, then one script finds the other nodes with a live entry for any recipient
// and PUBLISHes the envelope once to each (channel writeen:node:<id>): once per message and
// node, not per recipient. Invalidations go to writeen:all. A node ignores its own envelopes.
//
// Presence: the same sets say who is online anywhere. Scripts decide atomically whether a
// socket is the user's first (online) or last (offline) across nodes; a node that stops
// heartbeating is swept by any other after the presence TTL and its users go offline then.
//
// Presence across nodes: each node also tells the others (writeen:all) when it gets its first
// or loses its last socket of a user, and sends its whole list with each user's latest activity
// every heartbeat; every node keeps that in a bus/remote_presence (seeded from Redis on each
// connect), which answers online_elsewhere and activity_elsewhere without a round trip.
//
// Registration: user_changed's callback runs once this node's entry for the user is in Redis
// (the arrive script answered), so that whatever the socket does next (a sync) happens after
// every other node routes the user's deliveries here.
//
// Outage: while Redis is down deliveries to other nodes are dropped (counted; the store has
// every message and clients catch up with sync), local ones go on, healthy() is false. Once
// Redis is back, the resync handler runs (the server closes its sockets with 1012 so that
// clients reconnect and sync) and the conversation cache is dropped.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bus/bus.hpp"
#include "bus/redis_link.hpp"
#include "bus/remote_presence.hpp"

namespace writeen::bus {

/// redis://host:port/db (port 6379, db 0 if left out).
struct redis_address {
    std::string host;
    int port = 6379;
    int db = 0;
};
/// nullopt unless the URL is of that form.
std::optional<redis_address> parse_redis_url(const std::string& url);

struct redis_options {
    redis_address address;
    std::string node_id;                                  // unique per running node
    std::chrono::milliseconds presence_ttl{20000};        // a silent node's users count this long
};

class redis_bus final : public bus {
public:
    explicit redis_bus(redis_options options);
    ~redis_bus() override;
    /// Connects (and reconnects with backoff) on the io_context from now on.
    void start(boost::asio::io_context& ioc);
    /// Lets go of the connections; call before the io_context is destroyed, with it stopped.
    void stop();

    void publish(const delivery& d) override;
    void on_delivery(delivery_handler handler, const local_view& view) override;
    void on_presence(presence_handler handler) override { presence_ = std::move(handler); }
    void user_changed(const std::string& user_id, registered_handler registered) override;
    bool online_elsewhere(const std::string& user_id) const override;
    std::int64_t activity_elsewhere(const std::string& user_id) const override;
    void conversation_changed(const std::string& conversation_id) override;
    void publish_invalidation(const std::string& conversation_id) override;
    void on_invalidation(invalidation_handler handler) override { invalidation_ = std::move(handler); }
    void on_resync(resync_handler handler) override { resync_ = std::move(handler); }
    void count_message(const std::string& user_id, int limit, std::function<void(std::int64_t)> over) override;
    bool healthy() const override { return healthy_.load(); }
    std::string_view name() const override { return "redis"; }
    bus_counters counters() const override;
    const std::string& node_id() const { return options_.node_id; }

private:
    static void on_message(redisAsyncContext* ac, void* reply, void* data);
    // Everything below runs on strand_.
    void connect();
    void link_up(std::uint64_t attempt);
    void link_down(std::uint64_t attempt, const std::string& why);
    void ready();
    void reconcile_user(const std::string& user_id);
    void reconcile_conversation(const std::string& conversation_id);
    /// Runs `registered` once the user's arrive (if one is on its way) has answered.
    void when_registered(const std::string& user_id, registered_handler registered);
    void release_registrations();
    void seed_remote_presence();
    void heartbeat();
    /// PUBLISHes an encoded presence or activity envelope of this node on writeen:all.
    void broadcast(const std::string& bytes);
    void receive(std::string_view payload);
    void run(const std::string& script, std::vector<std::string> args, reply_handler done);

    redis_options options_;
    remote_presence remote_;          // thread-safe; written on strand_, read anywhere
    delivery_handler handler_;
    presence_handler presence_;
    invalidation_handler invalidation_;
    resync_handler resync_;
    const local_view* view_ = nullptr;

    std::optional<strand> strand_;
    std::optional<boost::asio::steady_timer> retry_timer_, heartbeat_timer_;
    std::shared_ptr<redis_link> commands_, subscriber_;
    std::uint64_t attempt_ = 0;       // which connect() the links belong to
    int links_up_ = 0;
    bool had_outage_ = false;         // a connect after this one resyncs
    bool stopping_ = false;
    bool heartbeat_pending_ = false;
    std::chrono::steady_clock::time_point heartbeat_sent_;
    std::chrono::milliseconds backoff_{100};
    std::unordered_set<std::string> announced_users_, announced_conversations_;  // registered in Redis
    using waiters = std::shared_ptr<std::vector<registered_handler>>;
    std::unordered_map<std::string, waiters> arriving_;  // users whose last arrive has not answered yet

    std::atomic<bool> healthy_{false};
    std::atomic<std::uint64_t> published_{0}, received_{0}, dropped_{0}, reconnects_{0}, lag_ms_{0};
};

}  // namespace writeen::bus

#pragma once
// The bus carries deliveries between nodes. The hub publishes every delivery on it and
// receives every delivery from it, so adding nodes (Redis) changes nothing above. It also
// decides when a user comes online or goes offline: on one node that is the user's first and
// last socket here; across nodes, the first and last socket anywhere (bus/redis_bus.hpp).

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

namespace writeen::bus {

/// One frame for a set of recipients.
struct delivery {
    enum class audience {
        users,   // every socket of each user in user_ids
        joined,  // sockets that joined conversation_id
    };
    audience to = audience::users;
    std::vector<std::string> user_ids;
    std::string conversation_id;
    std::string except_user;                // joined: skip this user's sockets
    std::uint64_t except_connection = 0;    // skip this socket (0: none); meaningful on the origin node
    std::shared_ptr<const std::string> frame;
};

/// What this node has sockets for, as the hub knows it now. Implemented by the hub; thread-safe.
class local_view {
public:
    virtual ~local_view() = default;
    virtual bool has_user(const std::string& user_id) const = 0;
    virtual bool has_conversation(const std::string& conversation_id) const = 0;
    virtual std::vector<std::string> users() const = 0;
    virtual std::vector<std::string> conversations() const = 0;
    /// The latest activity (hub::connection::last_activity) over the user's sockets here; 0 without any.
    virtual std::int64_t local_activity_of(const std::string& user_id) const = 0;
};

using delivery_handler = std::function<void(const delivery&)>;
/// A user came online (first socket anywhere) or went offline (last socket anywhere closed,
/// or the node holding it died). Called once per change across all nodes.
using presence_handler = std::function<void(const std::string& user_id, bool online)>;
/// Conversation `id` changed on another node; an empty id: anything may have changed (the bus
/// was down and invalidations may have been missed).
using invalidation_handler = std::function<void(const std::string& conversation_id)>;
/// The bus registered the user's sockets here (see bus::user_changed). Called once, on any thread.
using registered_handler = std::function<void()>;
/// The bus is back after an outage: deliveries from other nodes may have been missed.
using resync_handler = std::function<void()>;

struct bus_counters {
    std::uint64_t published = 0;   // envelopes sent to other nodes
    std::uint64_t received = 0;    // envelopes from other nodes
    std::uint64_t dropped = 0;     // not sent because the bus was down (clients recover by sync)
    std::uint64_t reconnects = 0;  // connections made again after an outage
    std::uint64_t lag_ms = 0;      // the last round trip of a heartbeat
};

class bus {
public:
    virtual ~bus() = default;
    /// Sends a delivery to every node's handler, this node's included (this node's at once).
    virtual void publish(const delivery& d) = 0;
    /// Sets the handler of this node and what it holds. Called once at start-up, before any publish.
    virtual void on_delivery(delivery_handler handler, const local_view& view) = 0;
    virtual void on_presence(presence_handler handler) = 0;
    /// The hub's sockets of this user (or joins of this conversation) changed: the bus compares
    /// with what it announced and announces the difference. Called outside the hub's lock, in
    /// any order: only the view's state at the time counts. `registered` (may be empty) runs
    /// once the other nodes can find this node's sockets of the user (a delivery stored
    /// anywhere afterwards reaches them): at once when it already could, or the bus is down.
    virtual void user_changed(const std::string& user_id, registered_handler registered) = 0;
    virtual void conversation_changed(const std::string& conversation_id) = 0;
    /// True when another node has a socket of the user (as it last told this node). Thread-safe.
    virtual bool online_elsewhere(const std::string& /*user_id*/) const { return false; }
    /// The user's latest activity on the other nodes' sockets (Unix ms; 0: none); it lags by up
    /// to a heartbeat. Thread-safe.
    virtual std::int64_t activity_elsewhere(const std::string& /*user_id*/) const { return 0; }
    /// Tells the other nodes that a conversation changed (after the commit).
    virtual void publish_invalidation(const std::string& /*conversation_id*/) {}
    virtual void on_invalidation(invalidation_handler) {}
    virtual void on_resync(resync_handler) {}
    /// Counts one message of the user across nodes in the current one-second window; when the
    /// count passes `limit`, calls over(ms until the window ends) later, on the bus's thread.
    /// Never waits: the caller decided locally already (hub/rate_limiter). No-op on one node.
    virtual void count_message(const std::string& /*user_id*/, int /*limit*/, std::function<void(std::int64_t)> /*over*/) {}
    /// True when the bus can carry deliveries (for /readyz).
    virtual bool healthy() const = 0;
    virtual std::string_view name() const = 0;
    virtual bus_counters counters() const { return {}; }
};

/// The single-process bus: publish calls the handler at once, on the publishing thread.
class local_bus final : public bus {
public:
    void publish(const delivery& d) override;
    void on_delivery(delivery_handler handler, const local_view& view) override;
    void on_presence(presence_handler handler) override { presence_ = std::move(handler); }
    void user_changed(const std::string& user_id, registered_handler registered) override;
    void conversation_changed(const std::string&) override {}
    bool healthy() const override { return true; }
    std::string_view name() const override { return "local"; }

private:
    delivery_handler handler_;  // set once before traffic; read on any thread afterwards
    presence_handler presence_;
    const local_view* view_ = nullptr;
    std::mutex mutex_;
    std::unordered_set<std::string> online_;  // guarded by mutex_: users announced online
};

}  // namespace writeen::bus

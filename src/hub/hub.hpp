#pragma once
// Who is connected, and which sockets a frame goes to. Knows nothing of the store: the
// chat service tells it who the recipients are.

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "bus/bus.hpp"
#include "hub/connection.hpp"

namespace writeen::hub {

class hub final : public bus::local_view {
public:
    /// Registers itself as the bus's delivery handler.
    explicit hub(bus::bus& bus);

    /// Adds a socket; true when it is the user's first here. Whether the user came online
    /// (anywhere) the bus decides and tells the presence handler. `registered` (may be empty)
    /// runs once the bus can route deliveries from any node to the socket
    /// (bus::bus::user_changed), on any thread.
    bool attach(const connection_ptr& c, bus::registered_handler registered = {});
    /// Removes a socket and its joins; true when it was the user's last here.
    bool detach(const connection& c);
    /// Called with each user who comes online or goes offline (bus::presence_handler).
    void on_presence(bus::presence_handler handler) { bus_.on_presence(std::move(handler)); }
    /// Another node changed conversations (bus::invalidation_handler).
    void on_invalidation(bus::invalidation_handler handler) { bus_.on_invalidation(std::move(handler)); }
    /// Tells the other nodes that conversation `id` changed (after its commit).
    void publish_invalidation(const std::string& id) { bus_.publish_invalidation(id); }
    /// The socket now also receives the conversation's typing events.
    void join(const connection_ptr& c, const std::string& conversation_id);
    void leave(const connection& c, const std::string& conversation_id);

    /// True when the user has a socket on any node (this one, or another as the bus knows).
    bool is_online(const std::string& user_id) const;
    // bus::local_view: this node's sockets only (the bus announces them to the others).
    bool has_user(const std::string& user_id) const override;
    bool has_conversation(const std::string& conversation_id) const override;
    std::vector<std::string> users() const override;
    std::vector<std::string> conversations() const override;
    std::int64_t local_activity_of(const std::string& user_id) const override;
    /// The latest activity (connection::last_activity) over the user's sockets on any node;
    /// 0 without any. Another node's activity lags by up to its heartbeat (bus::bus).
    std::int64_t last_activity_of(const std::string& user_id) const;
    std::size_t connection_count() const;
    std::size_t online_user_count() const;

    /// Every socket of every listed user, except one socket (0: none).
    void send_to_users(std::vector<std::string> user_ids, std::shared_ptr<const std::string> frame,
                       std::uint64_t except_connection = 0);
    /// Every socket that joined the conversation, except the sockets of one user.
    void send_to_joined(const std::string& conversation_id, std::shared_ptr<const std::string> frame,
                        const std::string& except_user);
    bus::bus& cluster_bus() { return bus_; }
    /// Closes every socket (shutdown).
    void close_all(std::uint16_t code, const std::string& reason);

private:
    void deliver_local(const bus::delivery& d);

    bus::bus& bus_;
    // Guarded by mutex_. Deliveries copy their targets under the lock and send outside it.
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::vector<connection_ptr>> by_user_;
    std::unordered_map<std::string, std::vector<connection_ptr>> joined_;
    std::size_t connections_ = 0;
};

}  // namespace writeen::hub

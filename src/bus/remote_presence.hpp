#pragma once
// Who is online on the other nodes, and when they last showed activity there, as those nodes
// told us (bus/redis_bus): a user announced or withdrawn at once (presence envelope), and each
// node's whole list with its users' latest activity every heartbeat (activity envelope), which
// also corrects anything missed. A node not heard from for the presence TTL counts for nothing,
// the same rule Redis applies to its entries. Bounded by what the live nodes announced.
// Thread-safe: written on the bus's strand, read by any thread (hub::is_online, the notifier).

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace writeen::bus {

struct user_activity {
    std::string user_id;
    std::int64_t last_activity_ms = 0;  // Unix ms, 0: unknown
};

class remote_presence {
public:
    using clock = std::chrono::steady_clock;
    explicit remote_presence(std::chrono::milliseconds ttl) : ttl_(ttl) {}

    /// `node` has (here) or no longer has a socket of the user.
    void announced(const std::string& node, const user_activity& user, bool here, clock::time_point now);
    /// Everything `node` holds now; replaces what it said before.
    void snapshot(const std::string& node, const std::vector<user_activity>& users, clock::time_point now);
    /// Everything the other nodes hold, read from Redis after a (re)connect: replaces it all.
    void reset(const std::unordered_map<std::string, std::vector<std::string>>& users_by_node, clock::time_point now);
    void clear();

    /// True when a live other node has a socket of the user.
    bool online(const std::string& user_id, clock::time_point now) const;
    /// The latest activity of the user over the live other nodes; 0 when none has them.
    std::int64_t last_activity(const std::string& user_id, clock::time_point now) const;
    std::size_t user_count() const;

private:
    struct node_state {
        clock::time_point heard;
        std::unordered_map<std::string, std::int64_t> users;  // user -> last activity (Unix ms)
    };
    bool live(const node_state& n, clock::time_point now) const { return now - n.heard <= ttl_; }

    const std::chrono::milliseconds ttl_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, node_state> nodes_;  // guarded by mutex_
};

}  // namespace writeen::bus

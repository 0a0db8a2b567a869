#include "bus/remote_presence.hpp"

#include <algorithm>

namespace writeen::bus {

void remote_presence::announced(const std::string& node, const user_activity& user, bool here, clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (!here) {
        // Erased at once, not kept until the next snapshot: nothing stays for a user who left.
        auto it = nodes_.find(node);
        if (it != nodes_.end()) it->second.users.erase(user.user_id);
        return;
    }
    auto& n = nodes_[node];
    n.heard = std::max(n.heard, now);
    auto& activity = n.users[user.user_id];
    activity = std::max(activity, user.last_activity_ms);
}

void remote_presence::snapshot(const std::string& node, const std::vector<user_activity>& users, clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (users.empty()) {
        nodes_.erase(node);
        return;
    }
    auto& n = nodes_[node];
    n.heard = now;
    n.users.clear();
    for (const auto& u : users) n.users[u.user_id] = u.last_activity_ms;
}

void remote_presence::reset(const std::unordered_map<std::string, std::vector<std::string>>& users_by_node,
                            clock::time_point now) {
    std::lock_guard lock(mutex_);
    std::unordered_map<std::string, node_state> fresh;
    for (const auto& [node, users] : users_by_node) {
        auto& n = fresh[node];
        n.heard = now;
        const auto old = nodes_.find(node);
        for (const auto& u : users) {
            // Keep a known activity: Redis holds who is where, not when they were last active.
            std::int64_t activity = 0;
            if (old != nodes_.end())
                if (auto a = old->second.users.find(u); a != old->second.users.end()) activity = a->second;
            n.users[u] = activity;
        }
    }
    nodes_ = std::move(fresh);
}

void remote_presence::clear() {
    std::lock_guard lock(mutex_);
    nodes_.clear();
}

bool remote_presence::online(const std::string& user_id, clock::time_point now) const {
    std::lock_guard lock(mutex_);
    return std::any_of(nodes_.begin(), nodes_.end(),
                       [&](const auto& n) { return live(n.second, now) && n.second.users.contains(user_id); });
}

std::int64_t remote_presence::last_activity(const std::string& user_id, clock::time_point now) const {
    std::lock_guard lock(mutex_);
    std::int64_t latest = 0;
    for (const auto& [node, n] : nodes_) {
        if (!live(n, now)) continue;
        if (auto it = n.users.find(user_id); it != n.users.end()) latest = std::max(latest, it->second);
    }
    return latest;
}

std::size_t remote_presence::user_count() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& [node, state] : nodes_) n += state.users.size();
    return n;
}

}  // namespace writeen::bus

#include "hub/hub.hpp"

#include <algorithm>

namespace writeen::hub {
namespace {

bool remove_connection(std::vector<connection_ptr>& list, const connection& c) {
    auto it = std::find_if(list.begin(), list.end(), [&](const connection_ptr& p) { return p.get() == &c; });
    if (it == list.end()) return false;
    *it = std::move(list.back());
    list.pop_back();
    return true;
}

}  // namespace

hub::hub(bus::bus& bus) : bus_(bus) {
    bus_.on_delivery([this](const bus::delivery& d) { deliver_local(d); }, *this);
}

// The bus is told of a change outside the lock (its presence handler may deliver, which takes
// the lock); it reads the state back through local_view, so the order of these calls between
// threads does not matter.
bool hub::attach(const connection_ptr& c, bus::registered_handler registered) {
    bool first = false;
    {
        std::lock_guard lock(mutex_);
        auto& list = by_user_[c->user_id()];
        list.push_back(c);
        ++connections_;
        first = list.size() == 1;
    }
    // A later socket of the user asks too: the first one's registration may still be on its way.
    if (first || registered) bus_.user_changed(c->user_id(), std::move(registered));
    return first;
}

bool hub::detach(const connection& c) {
    std::vector<std::string> emptied;
    bool last = false;
    {
        std::lock_guard lock(mutex_);
        for (auto it = joined_.begin(); it != joined_.end();) {
            if (remove_connection(it->second, c) && it->second.empty()) emptied.push_back(it->first);
            it = it->second.empty() ? joined_.erase(it) : std::next(it);
        }
        auto it = by_user_.find(c.user_id());
        if (it != by_user_.end() && remove_connection(it->second, c)) {
            --connections_;
            if (it->second.empty()) {
                by_user_.erase(it);
                last = true;
            }
        }
    }
    for (const auto& id : emptied) bus_.conversation_changed(id);
    if (last) bus_.user_changed(c.user_id(), nullptr);
    return last;
}

void hub::join(const connection_ptr& c, const std::string& conversation_id) {
    bool first = false;
    {
        std::lock_guard lock(mutex_);
        auto& list = joined_[conversation_id];
        if (std::none_of(list.begin(), list.end(), [&](const connection_ptr& p) { return p == c; })) list.push_back(c);
        first = list.size() == 1;
    }
    if (first) bus_.conversation_changed(conversation_id);
}

void hub::leave(const connection& c, const std::string& conversation_id) {
    {
        std::lock_guard lock(mutex_);
        auto it = joined_.find(conversation_id);
        if (it == joined_.end()) return;
        remove_connection(it->second, c);
        if (!it->second.empty()) return;
        joined_.erase(it);
    }
    bus_.conversation_changed(conversation_id);
}

bool hub::has_conversation(const std::string& conversation_id) const {
    std::lock_guard lock(mutex_);
    return joined_.contains(conversation_id);
}

std::vector<std::string> hub::users() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    out.reserve(by_user_.size());
    for (const auto& [user, list] : by_user_) out.push_back(user);
    return out;
}

std::vector<std::string> hub::conversations() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    out.reserve(joined_.size());
    for (const auto& [id, list] : joined_) out.push_back(id);
    return out;
}

bool hub::has_user(const std::string& user_id) const {
    std::lock_guard lock(mutex_);
    return by_user_.contains(user_id);
}

bool hub::is_online(const std::string& user_id) const { return has_user(user_id) || bus_.online_elsewhere(user_id); }

std::int64_t hub::last_activity_of(const std::string& user_id) const {
    return std::max(local_activity_of(user_id), bus_.activity_elsewhere(user_id));
}

std::int64_t hub::local_activity_of(const std::string& user_id) const {
    std::lock_guard lock(mutex_);
    const auto it = by_user_.find(user_id);
    if (it == by_user_.end()) return 0;
    std::int64_t latest = 0;
    for (const auto& c : it->second) latest = std::max(latest, c->last_activity());
    return latest;
}

std::size_t hub::connection_count() const {
    std::lock_guard lock(mutex_);
    return connections_;
}

std::size_t hub::online_user_count() const {
    std::lock_guard lock(mutex_);
    return by_user_.size();
}

void hub::send_to_users(std::vector<std::string> user_ids, std::shared_ptr<const std::string> frame,
                        std::uint64_t except_connection) {
    bus::delivery d;
    d.to = bus::delivery::audience::users;
    d.user_ids = std::move(user_ids);
    d.except_connection = except_connection;
    d.frame = std::move(frame);
    bus_.publish(d);
}

void hub::send_to_joined(const std::string& conversation_id, std::shared_ptr<const std::string> frame,
                         const std::string& except_user) {
    bus::delivery d;
    d.to = bus::delivery::audience::joined;
    d.conversation_id = conversation_id;
    d.except_user = except_user;
    d.frame = std::move(frame);
    bus_.publish(d);
}

void hub::deliver_local(const bus::delivery& d) {
    // Sending happens outside the lock: a large fan-out writing to many sockets must not hold
    // up attaches, joins and other deliveries.
    std::vector<connection_ptr> targets;
    {
        std::lock_guard lock(mutex_);
        if (d.to == bus::delivery::audience::users) {
            for (const auto& user : d.user_ids) {
                auto it = by_user_.find(user);
                if (it == by_user_.end()) continue;
                for (const auto& c : it->second)
                    if (c->id() != d.except_connection) targets.push_back(c);
            }
        } else if (auto it = joined_.find(d.conversation_id); it != joined_.end()) {
            for (const auto& c : it->second)
                if (c->user_id() != d.except_user) targets.push_back(c);
        }
    }
    for (const auto& c : targets) c->deliver(d.frame);
}

void hub::close_all(std::uint16_t code, const std::string& reason) {
    std::vector<connection_ptr> all;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [user, list] : by_user_) all.insert(all.end(), list.begin(), list.end());
    }
    for (const auto& c : all) c->close(code, reason);
}

}  // namespace writeen::hub

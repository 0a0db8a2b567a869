#include "hub/typing_tracker.hpp"

namespace writeen::hub {
namespace {

std::string key_of(const std::string& conversation_id, const std::string& user_id) {
    return conversation_id + '\n' + user_id;
}

}  // namespace

void typing_tracker::started(const entry& e, unix_ms now) {
    std::lock_guard lock(mutex_);
    typing_[key_of(e.conversation_id, e.user_id)] = {e, now + ttl_ms_};
}

bool typing_tracker::stopped(const std::string& conversation_id, const std::string& user_id) {
    std::lock_guard lock(mutex_);
    return typing_.erase(key_of(conversation_id, user_id)) > 0;
}

std::vector<typing_tracker::entry> typing_tracker::expire(unix_ms now) {
    std::vector<entry> expired;
    std::lock_guard lock(mutex_);
    for (auto it = typing_.begin(); it != typing_.end();) {
        if (it->second.second <= now) {
            expired.push_back(std::move(it->second.first));
            it = typing_.erase(it);
        } else {
            ++it;
        }
    }
    return expired;
}

}  // namespace writeen::hub

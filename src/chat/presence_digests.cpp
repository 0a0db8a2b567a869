#include "chat/presence_digests.hpp"

#include <algorithm>

namespace writeen::chat {

void presence_digests::add(const std::string& conversation_id, const std::string& user_id,
                           std::string_view status, unix_ms last_seen) {
    std::lock_guard lock(mutex_);
    pending_[conversation_id][user_id] = {std::string(status), last_seen};
}

std::vector<conversation_digest> presence_digests::take() {
    std::unordered_map<std::string, std::unordered_map<std::string, state>> taken;
    {
        std::lock_guard lock(mutex_);
        taken.swap(pending_);
    }
    std::vector<conversation_digest> out;
    out.reserve(taken.size());
    for (auto& [conversation_id, users] : taken) {
        conversation_digest d{conversation_id, {}};
        d.changes.reserve(users.size());
        for (auto& [user_id, s] : users) d.changes.push_back({user_id, std::move(s.status), s.last_seen});
        std::sort(d.changes.begin(), d.changes.end(),
                  [](const auto& a, const auto& b) { return a.user_id < b.user_id; });
        out.push_back(std::move(d));
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.conversation_id < b.conversation_id; });
    return out;
}

}  // namespace writeen::chat

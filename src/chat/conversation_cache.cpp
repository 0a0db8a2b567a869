#include "chat/conversation_cache.hpp"

namespace writeen::chat {

conversation_cache::ptr conversation_cache::get(const std::string& id, store::reader& source) {
    std::uint64_t generation = 0;
    {
        std::lock_guard lock(mutex_);
        if (auto it = entries_.find(id); it != entries_.end()) return it->second;
        generation = generation_;
    }
    auto loaded = source.find_conversation(id);
    if (!loaded) return nullptr;
    auto entry = std::make_shared<const conversation>(std::move(*loaded));
    std::lock_guard lock(mutex_);
    // The generation moved if a change began or ended while we loaded: our copy may predate it.
    if (generation_ == generation && !changes_in_flight_.contains(id)) entries_.try_emplace(id, entry);
    return entry;
}

void conversation_cache::begin_change(const std::string& id) {
    std::lock_guard lock(mutex_);
    ++generation_;
    ++changes_in_flight_[id];
    entries_.erase(id);
}

void conversation_cache::end_change(const std::string& id) {
    std::lock_guard lock(mutex_);
    ++generation_;
    // Nothing for id was kept since begin_change erased it: the next lookup reads the
    // committed rows.
    auto it = changes_in_flight_.find(id);
    if (it != changes_in_flight_.end() && --it->second == 0) changes_in_flight_.erase(it);
}

}  // namespace writeen::chat

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
    {
        std::lock_guard lock(mutex_);
        ++generation_;
        // Nothing for id was kept since begin_change erased it: the next lookup reads the
        // committed rows.
        auto it = changes_in_flight_.find(id);
        if (it != changes_in_flight_.end() && --it->second == 0) changes_in_flight_.erase(it);
    }
    // Also after a failed batch: a needless invalidation costs one reload elsewhere.
    if (changed_) changed_(id);
}

// Why this is safe against a load in flight on this node: the other node publishes only after
// its commit. A load here that read before that commit either checks the generation after
// this call (it moved: the copy is not kept) or before it (the copy was kept, and is erased
// here). A load that starts after this call reads the committed rows. Either way no copy older
// than the commit survives the invalidation's arrival.
void conversation_cache::invalidate(const std::string& id) {
    std::lock_guard lock(mutex_);
    ++generation_;
    if (id.empty()) entries_.clear();
    else entries_.erase(id);
}

}  // namespace writeen::chat

#include "chat/conversation_cache.hpp"

namespace writeen::chat {

conversation_cache::ptr conversation_cache::get(const std::string& id, store::reader& source) {
    {
        std::lock_guard lock(mutex_);
        if (auto it = entries_.find(id); it != entries_.end()) return it->second;
    }
    const std::uint64_t generation = generation_.load();
    auto loaded = source.find_conversation(id);
    if (!loaded) return nullptr;
    auto entry = std::make_shared<const conversation>(std::move(*loaded));
    std::lock_guard lock(mutex_);
    if (generation_.load() == generation) entries_[id] = entry;
    return entry;
}

void conversation_cache::invalidate(const std::string& id) {
    std::lock_guard lock(mutex_);
    ++generation_;
    entries_.erase(id);
}

void conversation_cache::clear() {
    std::lock_guard lock(mutex_);
    ++generation_;
    entries_.clear();
}

}  // namespace writeen::chat

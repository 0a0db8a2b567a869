#include "auth/verified_token_cache.hpp"

namespace writeen::auth {

verified_token_cache::verified_token_cache(std::size_t capacity)
    : shard_capacity_(capacity == 0 ? 0 : (capacity + shard_count - 1) / shard_count) {}

verified_token_cache::shard& verified_token_cache::shard_for(std::string_view token) const {
    // The map hashes the low bits into buckets; pick the shard from the high bits so the two
    // stay independent.
    const std::size_t h = text_hash{}(token);
    return shards_[(h >> (sizeof(std::size_t) * 8 - 8)) % shard_count];
}

std::optional<verified_token> verified_token_cache::find(std::string_view token) const {
    if (shard_capacity_ == 0) return std::nullopt;
    shard& s = shard_for(token);
    std::lock_guard lock(s.mutex);
    const auto it = s.entries.find(token);
    if (it == s.entries.end()) return std::nullopt;
    return it->second;
}

void verified_token_cache::insert(std::string_view token, const verified_token& entry, std::int64_t now_ms,
                                  std::int64_t leeway_ms) {
    if (shard_capacity_ == 0) return;
    shard& s = shard_for(token);
    std::lock_guard lock(s.mutex);
    auto& entries = s.entries;
    if (entries.size() >= shard_capacity_ && entries.find(token) == entries.end()) {
        std::erase_if(entries, [&](const auto& item) {
            return item.second.principal.expires_at_ms + leeway_ms <= now_ms;
        });
        // Free an eighth at once, so a shard full of live tokens is swept once per many inserts
        // rather than on every one.
        const std::size_t target = shard_capacity_ - (shard_capacity_ + 7) / 8;
        while (entries.size() > target) entries.erase(entries.begin());
    }
    entries.insert_or_assign(std::string(token), entry);
}

std::size_t verified_token_cache::size() const {
    std::size_t total = 0;
    for (const auto& s : shards_) {
        std::lock_guard lock(s.mutex);
        total += s.entries.size();
    }
    return total;
}

}  // namespace writeen::auth

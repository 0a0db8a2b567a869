#pragma once
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "model/types.hpp"
#include "store/store.hpp"

namespace writeen::chat {

/// Conversations with their participants and settings, kept in memory because every message
/// needs them (membership, permissions, fan-out). Its seq counters are not kept current: read
/// those from the store. Thread-safe.
///
/// Only the writer changes conversations. It calls `invalidate` inside the work that changes
/// one, so later works of the same batch reload through the transaction. A reader that loaded
/// before an invalidation does not put its older copy back (the generation check).
class conversation_cache {
public:
    using ptr = std::shared_ptr<const conversation>;

    /// From the cache, else loaded with `source` (a read connection or the writer's transaction).
    ptr get(const std::string& id, store::reader& source);
    void invalidate(const std::string& id);
    void clear();

private:
    std::mutex mutex_;
    std::unordered_map<std::string, ptr> entries_;  // guarded by mutex_
    std::atomic<std::uint64_t> generation_{0};      // bumped by every invalidation
};

}  // namespace writeen::chat

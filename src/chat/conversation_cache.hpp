#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "model/types.hpp"
#include "store/store.hpp"

namespace writeen::chat {

/// Conversations with their participants and settings, kept in memory because every message
/// needs them (membership, permissions, fan-out). Its seq counters and cursors are not kept
/// current: read those from the store. Thread-safe.
///
/// A copy enters the cache only if it was loaded while no change to any conversation was in
/// flight and none began during the load. A change is in flight from the moment the writer's
/// work calls `begin_change` until the batch holding that work has committed or failed and
/// `end_change` is called. So a reader that loads while a removal waits for its COMMIT reads
/// the old rows but cannot keep them, and a later lookup (the writer's own included) loads the
/// committed rows: a removed participant is never admitted from the cache.
class conversation_cache {
public:
    using ptr = std::shared_ptr<const conversation>;

    /// From the cache, else loaded with `source` (a read connection or the writer's transaction)
    /// and kept if nothing changed meanwhile. While a change to `id` is in flight the writer's
    /// transaction sees it and read connections see the committed state: neither is kept.
    ptr get(const std::string& id, store::reader& source);
    /// Called by the writer's work before it changes conversation `id`.
    void begin_change(const std::string& id);
    /// Called once the batch holding that work committed or failed (every begin_change has one).
    void end_change(const std::string& id);
    /// Another node changed conversation `id` (and committed): drops the entry, and a load in
    /// flight cannot keep what it read (the generation moves). Empty id: drops everything.
    void invalidate(const std::string& id);
    /// Called after every end_change, outside the lock, to tell the other nodes (set once).
    void on_changed(std::function<void(const std::string&)> handler) { changed_ = std::move(handler); }

private:
    std::mutex mutex_;
    std::unordered_map<std::string, ptr> entries_;          // guarded by mutex_
    std::unordered_map<std::string, int> changes_in_flight_;  // guarded by mutex_; id → count
    std::function<void(const std::string&)> changed_;  // set before traffic
    std::uint64_t generation_ = 0;  // guarded by mutex_; bumped by every begin and end of a change
};

}  // namespace writeen::chat

#pragma once
// How to open the SQLite engine. Callers outside the store go through store::open_store
// (store/store_factory.hpp), which picks the engine from the configuration.

#include <chrono>
#include <memory>
#include <string>

#include "store/store.hpp"

namespace writeen::store::sqlite {

/// The SQLite engine's settings: the file, its durability and the writer's batching.
struct sqlite_options {
    std::string path;              // database file
    bool synchronous_full = true;  // synchronous=FULL (false: NORMAL)
    int read_connections = 4;
    int max_batch = 512;  // most works in one transaction
    // Least time between two commits. Under load a commit (its fixed cost: the search index's
    // new segment, the WAL frames of shared pages, an fsync) then serves more messages; when
    // idle the first write commits at once, since the previous commit is long past.
    std::chrono::microseconds commit_interval{0};
};

/// Opens (creating if needed) the SQLite database and applies pending migrations.
/// Throws unavailable with a clear message when the file cannot be opened.
std::unique_ptr<database> open_sqlite(const sqlite_options& options);

}  // namespace writeen::store::sqlite

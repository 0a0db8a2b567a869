#pragma once
// How to open the PostgreSQL engine. Callers outside the store go through store::open_store
// (store/store_factory.hpp), which picks the engine from the configuration.

#include <chrono>
#include <memory>
#include <string>

#include "store/store.hpp"

namespace writeen::store::postgres {

/// The PostgreSQL engine's settings.
struct postgres_options {
    std::string url;           // libpq connection URL, e.g. postgresql://user@host:5432/db
    int read_connections = 4;  // the read pool
    int max_batch = 512;       // most works in one transaction
    // Least time between two commits (as sqlite_options::commit_interval): under load a COMMIT
    // (one WAL flush on the server) then serves more works.
    std::chrono::microseconds commit_interval{0};
};

/// Connects, applies pending migrations and starts the writer. Throws unavailable with a clear
/// message when the server cannot be reached or the schema is newer than this program's.
std::unique_ptr<database> open_postgres(const postgres_options& options);

}  // namespace writeen::store::postgres

#pragma once
// Opening a store by configuration: the one place that knows which engines exist, so a new
// engine (PostgreSQL) plugs in here and the server keeps calling open_store.

#include <chrono>
#include <memory>
#include <string>

#include "store/store.hpp"

namespace writeen::store {

/// What open_store needs: the engine's name and that engine's settings.
struct store_config {
    /// The engine: "sqlite" or "postgres".
    std::string engine = "sqlite";

    // postgres
    std::string postgres_url;  // libpq connection URL

    // sqlite
    std::string path;              // database file
    bool synchronous_full = true;  // synchronous=FULL (false: NORMAL)

    // both
    int read_connections = 4;
    int max_batch = 512;  // most works in one transaction
    // Least time between two commits (see sqlite::sqlite_options::commit_interval).
    std::chrono::microseconds commit_interval{0};
};

/// Opens the store of config.engine (creating it and applying migrations if needed). Throws
/// std::invalid_argument for an unknown engine, and what the engine throws when it cannot open
/// (store::unavailable).
std::unique_ptr<database> open_store(const store_config& config);

}  // namespace writeen::store

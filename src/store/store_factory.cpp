#include "store/store_factory.hpp"

#include <stdexcept>

#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace writeen::store {

std::unique_ptr<database> open_store(const store_config& config) {
    if (config.engine == "sqlite")
        return sqlite::open_sqlite({.path = config.path,
                                    .synchronous_full = config.synchronous_full,
                                    .read_connections = config.read_connections,
                                    .max_batch = config.max_batch,
                                    .commit_interval = config.commit_interval});
    if (config.engine == "postgres")
        return postgres::open_postgres({.url = config.postgres_url,
                                        .read_connections = config.read_connections,
                                        .max_batch = config.max_batch,
                                        .commit_interval = config.commit_interval});
    // The message names what is known, so a typo in a setting is fixed without reading code.
    throw std::invalid_argument("store: unknown engine '" + config.engine + "' (known engines: sqlite, postgres)");
}

}  // namespace writeen::store

#pragma once
// The schema migrations of the PostgreSQL engine, compiled into the binary from
// src/store/postgres/migrations/NNN_name.sql (build/generated/store/postgres_migrations.inc).

#include <span>
#include <string_view>

#include "model/types.hpp"

namespace writeen::store::postgres {

class connection;

/// One numbered schema change.
struct migration {
    int version;            // 1, 2, ...: applied in this order, each once
    std::string_view name;  // the file name without ".sql"
    std::string_view sql;   // the file's content
};

/// Every migration this binary knows, by ascending version.
std::span<const migration> migrations();

/// Applies the migrations the database has not recorded in schema_migrations, in one
/// transaction under an advisory lock (several nodes may start at once), and returns how many
/// ran. Throws unavailable when the database was migrated by a newer binary or a statement fails.
int apply_migrations(connection& db, unix_ms now);

}  // namespace writeen::store::postgres

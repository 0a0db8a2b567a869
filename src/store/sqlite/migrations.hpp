#pragma once
// The schema migrations of the SQLite engine, compiled into the binary. Their text is the
// content of src/store/migrations/NNN_name.sql (a unit test keeps the two byte-identical).

#include <span>
#include <string_view>
#include <vector>

#include "model/types.hpp"

namespace writeen::store::sqlite {

class connection;

/// One numbered schema change.
struct migration {
    int version;            // 1, 2, ...: applied in this order, each once
    std::string_view name;  // the file name without ".sql", e.g. "001_init"
    std::string_view sql;   // the file's content
};

/// Every migration this binary knows, by ascending version.
std::span<const migration> migrations();

/// Applies the migrations the database has not recorded in schema_migrations, all in one
/// transaction, and returns how many ran. Throws unavailable when the database was migrated by
/// a newer binary (a version this one does not know) or a statement fails.
int apply_migrations(connection& db, unix_ms now);

/// The migrations this binary knows that the database has not recorded, by ascending version,
/// without changing anything (a database made before schema_migrations existed has them all
/// pending). Throws unavailable when the database was migrated by a newer binary.
std::vector<migration> pending_migrations(connection& db);

}  // namespace writeen::store::sqlite

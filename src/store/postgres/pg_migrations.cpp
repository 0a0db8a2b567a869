#include "store/postgres/pg_migrations.hpp"

#include <string>

#include "store/postgres/pg_connection.hpp"
#include "store/store.hpp"

namespace writeen::store::postgres {
namespace {

// Every file of src/store/postgres/migrations/, in version order, compiled in by CMake from the
// files themselves, so the .sql files are the only copy of the schema. Add a migration as a new
// file; never edit an applied one.
// The first entry (version 0) is a placeholder, so the array is never empty; it is never applied.
constexpr migration all_migrations[] = {
    {0, "", ""},
#include "store/postgres_migrations.inc"
};

// Several nodes starting at once: the first takes this transaction-scoped lock and migrates,
// the others wait for it and then find nothing pending. The key is arbitrary but fixed.
constexpr const char* lock_migrations = "SELECT pg_advisory_xact_lock(7202604120012)";
constexpr const char* create_schema_migrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version bigint PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)";
constexpr const char* select_schema_version = "SELECT coalesce(max(version), 0) FROM schema_migrations";
constexpr const char* insert_schema_migration =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)";

}  // namespace

std::span<const migration> migrations() { return std::span<const migration>{all_migrations}.subspan(1); }

int apply_migrations(connection& db, unix_ms now) {
    db.exec("BEGIN", "begin migrations");
    try {
        db.query(lock_migrations);
        // CREATE TABLE IF NOT EXISTS still reports a notice; quiet is not needed.
        db.exec(create_schema_migrations, "create schema_migrations");
        const std::int64_t current = db.query(select_schema_version).int_at(0, 0);
        const int latest = migrations().empty() ? 0 : migrations().back().version;
        if (current > latest)
            throw unavailable("postgres: database schema version " + std::to_string(current) +
                              " is newer than this program's (" + std::to_string(latest) + ")");
        int applied = 0;
        for (const migration& m : migrations()) {
            if (m.version <= current) continue;
            // The literals are NUL-terminated, so data() is a C string; exec takes several
            // statements (the simple protocol).
            db.exec(m.sql.data(), "migration " + std::string{m.name});
            db.query(insert_schema_migration, params{}.add(m.version).add(m.name).add(now));
            ++applied;
        }
        db.exec("COMMIT", "commit migrations");
        return applied;
    } catch (...) {
        if (db.ok() && db.in_transaction()) {
            try {
                db.exec("ROLLBACK", "roll back migrations");
            } catch (const std::exception&) {
                // The original failure is what the caller needs to see.
            }
        }
        throw;
    }
}

}  // namespace writeen::store::postgres

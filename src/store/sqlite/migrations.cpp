#include "store/sqlite/migrations.hpp"

#include <string>

#include "store/sqlite/connection.hpp"
#include "store/store.hpp"

namespace writeen::store::sqlite {
namespace {

// Every file of src/store/migrations/, in version order, compiled in by CMake from the files
// themselves (build/generated/store/embedded_migrations.inc), so the .sql files are the only
// copy of the schema. Add a migration as a new file; never edit an applied one.
constexpr migration all_migrations[] = {
#include "store/embedded_migrations.inc"
};

constexpr const char* create_schema_migrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT";
constexpr const char* select_schema_version = "SELECT coalesce(max(version), 0) FROM schema_migrations";
constexpr const char* has_schema_migrations =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
constexpr const char* insert_schema_migration =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)";

}  // namespace

std::span<const migration> migrations() { return all_migrations; }

std::vector<migration> pending_migrations(connection& db) {
    std::int64_t current = 0;
    bool recorded = false;
    {
        auto q = db.prepare(has_schema_migrations);
        recorded = q.step() && q.int_at(0) > 0;
    }
    if (recorded) {
        auto q = db.prepare(select_schema_version);
        if (q.step()) current = q.int_at(0);
    }
    const int latest = migrations().back().version;
    if (current > latest)
        throw unavailable("sqlite: database schema version " + std::to_string(current) +
                          " is newer than this program's (" + std::to_string(latest) + ")");
    std::vector<migration> pending;
    for (const migration& m : all_migrations)
        if (m.version > current) pending.push_back(m);
    return pending;
}

int apply_migrations(connection& db, unix_ms now) {
    // IMMEDIATE takes the write lock first, so two processes starting on one file cannot both
    // decide to apply the same migration.
    db.exec("BEGIN IMMEDIATE", "begin migrations");
    try {
        db.exec(create_schema_migrations, "create schema_migrations");
        std::int64_t current = 0;
        {
            auto q = db.prepare(select_schema_version);
            if (q.step()) current = q.int_at(0);
        }
        const int latest = migrations().back().version;
        if (current > latest)
            throw unavailable("sqlite: database schema version " + std::to_string(current) +
                              " is newer than this program's (" + std::to_string(latest) + ")");
        int applied = 0;
        for (const migration& m : all_migrations) {
            if (m.version <= current) continue;
            // The literals are NUL-terminated, so data() is a C string.
            db.exec(m.sql.data(), "migration " + std::string{m.name});
            db.prepare(insert_schema_migration).bind(1, m.version).bind(2, m.name).bind(3, now).run();
            ++applied;
        }
        db.exec("COMMIT", "commit migrations");
        return applied;
    } catch (...) {
        if (db.in_transaction()) sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

}  // namespace writeen::store::sqlite

#include "app/migrate_command.hpp"

#include <filesystem>
#include <ostream>
#include <string_view>
#include <vector>

#include "app/admin_paths.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_migrations.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/store.hpp"

namespace writeen::app {
namespace {

/// What `migrate --check` prints for a list of pending migration names and the latest version.
int report(const std::vector<std::string_view>& pending, int latest, std::ostream& out, std::ostream& err) {
    if (pending.empty()) {
        out << "schema is current (version " << latest << ")\n";
        return schema_current;
    }
    err << pending.size() << " pending migration" << (pending.size() == 1 ? "" : "s")
        << " (applied by `writeen-chat serve` at start):\n";
    for (const auto name : pending) err << "  " << name << "\n";
    return migrations_pending;
}

int check_sqlite(const std::string& data_dir, std::ostream& out, std::ostream& err) {
    const std::string path = database_file(data_dir);
    // A read-only open of a missing file fails anyway; saying so plainly beats SQLite's text.
    if (!std::filesystem::exists(path)) {
        err << "writeen-chat migrate: no database at " << path << "\n";
        return check_failed;
    }
    store::sqlite::connection db{path, true};
    std::vector<std::string_view> pending;
    for (const auto& m : store::sqlite::pending_migrations(db)) pending.push_back(m.name);
    return report(pending, store::sqlite::migrations().back().version, out, err);
}

// Reads schema_migrations (pg_migrations.cpp) without creating it: a database the server never
// started on has every migration pending.
int check_postgres(const std::string& url, std::ostream& out, std::ostream& err) {
    store::postgres::connection db{url};  // a missing database: unavailable, with the server's text
    const auto known = store::postgres::migrations();
    const int latest = known.empty() ? 0 : known.back().version;
    std::int64_t current = 0;
    if (!db.query_dynamic("SELECT to_regclass('schema_migrations') IS NOT NULL").bool_at(0, 0)) current = 0;
    else current = db.query_dynamic("SELECT coalesce(max(version), 0) FROM schema_migrations").int_at(0, 0);
    if (current > latest) {
        err << "writeen-chat migrate: database schema version " << current << " is newer than this program's ("
            << latest << ")\n";
        return check_failed;
    }
    std::vector<std::string_view> pending;
    for (const auto& m : known)
        if (m.version > current) pending.push_back(m.name);
    return report(pending, latest, out, err);
}

}  // namespace

int run_migrate_check(const store_location& store, std::ostream& out, std::ostream& err) {
    try {
        if (store.postgres()) return check_postgres(store.postgres_url, out, err);
        return check_sqlite(store.data_dir, out, err);
    } catch (const std::exception& e) {
        err << "writeen-chat migrate: " << e.what() << "\n";
        return check_failed;
    }
}

}  // namespace writeen::app

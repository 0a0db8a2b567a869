#include "app/migrate_command.hpp"

#include <filesystem>
#include <ostream>

#include "app/admin_paths.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/store.hpp"

namespace writeen::app {

int run_migrate_check(const std::string& data_dir, std::ostream& out, std::ostream& err) {
    const std::string path = database_file(data_dir);
    // A read-only open of a missing file fails anyway; saying so plainly beats SQLite's text.
    if (!std::filesystem::exists(path)) {
        err << "writeen-chat migrate: no database at " << path << "\n";
        return check_failed;
    }
    try {
        store::sqlite::connection db{path, true};
        const auto pending = store::sqlite::pending_migrations(db);
        if (pending.empty()) {
            out << "schema is current (version " << store::sqlite::migrations().back().version << ")\n";
            return schema_current;
        }
        err << pending.size() << " pending migration" << (pending.size() == 1 ? "" : "s")
            << " (applied by `writeen-chat serve` at start):\n";
        for (const auto& m : pending) err << "  " << m.name << "\n";
        return migrations_pending;
    } catch (const std::exception& e) {
        err << "writeen-chat migrate: " << e.what() << "\n";
        return check_failed;
    }
}

}  // namespace writeen::app

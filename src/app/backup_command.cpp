#include "app/backup_command.hpp"

#include <ostream>

#include "app/admin_paths.hpp"
#include "store/sqlite/online_backup.hpp"
#include "store/store.hpp"

namespace writeen::app {

int run_backup(const store_location& store, const std::string& destination, std::ostream& out, std::ostream& err) {
    if (store.postgres()) {
        err << "writeen-chat backup: copies a SQLite store only; back up a PostgreSQL store with pg_dump "
               "(pg_dump --format=custom --file=DEST URL, see docs/OPERATIONS.md)\n";
        return 1;
    }
    const std::string& data_dir = store.data_dir;
    try {
        const long long pages = store::sqlite::backup_database(database_file(data_dir), destination);
        out << "backed up " << database_file(data_dir) << " to " << destination << " (" << pages << " pages)\n";
        return 0;
    } catch (const std::exception& e) {
        // unavailable and filesystem errors both name the file and the reason.
        err << "writeen-chat backup: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace writeen::app

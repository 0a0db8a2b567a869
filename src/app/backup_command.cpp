#include "app/backup_command.hpp"

#include <ostream>

#include "app/admin_paths.hpp"
#include "store/sqlite/online_backup.hpp"
#include "store/store.hpp"

namespace writeen::app {

int run_backup(const std::string& data_dir, const std::string& destination, std::ostream& out, std::ostream& err) {
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

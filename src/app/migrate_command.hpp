#pragma once
// `writeen-chat migrate --check`: does the database need the migrations of this binary?

#include <iosfwd>
#include <string>

#include "app/admin_paths.hpp"

namespace writeen::app {

/// Exit status of `migrate --check`.
enum migrate_check_status : int { schema_current = 0, migrations_pending = 1, check_failed = 2 };

/// Reads DATA_DIR's schema version without changing anything: 0 when every migration this
/// binary knows is applied, 1 with the pending ones listed on err, 2 when the database is
/// missing, unreadable or newer than this binary.
int run_migrate_check(const store_location& store, std::ostream& out, std::ostream& err);

}  // namespace writeen::app

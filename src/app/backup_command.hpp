#pragma once
// `writeen-chat backup DEST`: a consistent copy of a serving server's database.

#include <iosfwd>
#include <string>

#include "app/admin_paths.hpp"

namespace writeen::app {

/// Copies DATA_DIR's database to destination with SQLite's online backup (safe while the server
/// serves). Prints what it copied on out; returns 0, or 1 with the reason on err. A PostgreSQL
/// store is refused (1): pg_dump makes its consistent copy (docs/OPERATIONS.md).
int run_backup(const store_location& store, const std::string& destination, std::ostream& out, std::ostream& err);

}  // namespace writeen::app

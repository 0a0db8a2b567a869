#pragma once
// `writeen-chat backup DEST`: a consistent copy of a serving server's database.

#include <iosfwd>
#include <string>

namespace writeen::app {

/// Copies DATA_DIR's database to destination with SQLite's online backup (safe while the server
/// serves). Prints what it copied on out; returns 0, or 1 with the reason on err.
int run_backup(const std::string& data_dir, const std::string& destination, std::ostream& out, std::ostream& err);

}  // namespace writeen::app

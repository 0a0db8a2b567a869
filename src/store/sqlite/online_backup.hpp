#pragma once
// A consistent copy of a live SQLite database, made with SQLite's online backup API while the
// server keeps writing to it (docs/OPERATIONS.md "Backup and restore").

#include <string>

namespace writeen::store::sqlite {

/// Copies the database at source to a new file destination, as of one moment: every
/// transaction committed before the copy's read began is in it, none after. Works while another
/// process writes (WAL mode: the copy reads a snapshot and never blocks the writer). The copy is
/// written beside destination, checked with quick_check, fsynced and renamed into place, so
/// destination is either absent or complete. Returns the copy's page count. Throws
/// store::unavailable when source cannot be read, destination exists or cannot be written.
long long backup_database(const std::string& source, const std::string& destination);

}  // namespace writeen::store::sqlite

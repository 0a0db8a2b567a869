#pragma once
// Whether the data directory still takes writes, for /readyz. The database's own ping is a
// read, which goes on working when the file system under it has turned read-only (a disk
// error remounts ext4 read-only, `errors=remount-ro`): only trying to write tells.

#include <filesystem>
#include <string>

namespace writeen::http {

/// Creates and removes an empty probe file in dir. Returns "" when that worked, else what
/// stood in the way ("read-only file system", "no space left on device", ...). Blocking (a
/// file create and unlink): not on an I/O thread of a busy disk.
std::string data_dir_problem(const std::filesystem::path& dir);

}  // namespace writeen::http

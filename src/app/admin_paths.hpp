#pragma once
// Where the server keeps its database inside --data-dir: one definition, shared by `serve` and
// the admin commands that open the same file.

#include <filesystem>
#include <string>

namespace writeen::app {

/// The SQLite database file of a data directory.
inline std::string database_file(const std::string& data_dir) {
    return (std::filesystem::path(data_dir) / "writeen.db").string();
}

}  // namespace writeen::app

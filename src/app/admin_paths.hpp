#pragma once
// Where the server keeps its database: the SQLite file inside --data-dir, or the PostgreSQL
// database of --postgres-url. One definition, shared by `serve` and the admin commands.

#include <filesystem>
#include <string>

namespace writeen::app {

/// The SQLite database file of a data directory.
inline std::string database_file(const std::string& data_dir) {
    return (std::filesystem::path(data_dir) / "writeen.db").string();
}

/// The store an admin command works on, as `serve` was configured (--store, --postgres-url).
struct store_location {
    std::string data_dir = "./data";
    std::string engine = "sqlite";  // sqlite | postgres
    std::string postgres_url;       // with engine postgres
    bool postgres() const { return engine == "postgres"; }
};

}  // namespace writeen::app

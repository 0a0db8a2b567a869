#pragma once
// Blobs as files under one directory: <root>/<first two key digits>/<key>, written to
// <root>/tmp/ first and renamed into place on commit, so a crash never leaves a partial blob
// under its key.

#include "files/blob_store.hpp"

#include <filesystem>

namespace writeen::files {

/// A blob_store on the local file system. Durable on commit: the file and its directory are
/// fsynced before commit() returns. Thread-safe.
class local_blob_store final : public blob_store {
public:
    /// Uses root (created if missing, with tmp/ inside). Throws storage_error if it cannot.
    explicit local_blob_store(std::filesystem::path root);

    std::unique_ptr<blob_writer> begin_write(std::string_view key) override;
    std::unique_ptr<blob_reader> open_read(std::string_view key, std::uint64_t offset = 0,
                                           std::uint64_t length = to_end) override;
    void remove(std::string_view key) override;
    bool exists(std::string_view key) override;
    std::uint64_t size(std::string_view key) override;

    /// The file that holds blob key (valid keys only); for diagnostics and tests.
    std::filesystem::path path_of(std::string_view key) const;

private:
    std::filesystem::path root_;
    std::filesystem::path tmp_;
};

}  // namespace writeen::files

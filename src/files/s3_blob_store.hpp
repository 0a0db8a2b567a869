#pragma once
// Blobs in an S3-compatible bucket (AWS S3, MinIO, ...), signed with libcurl's built-in
// SigV4. Small blobs go up in one PUT; larger ones as a multipart upload, so a writer holds
// at most one part in memory. Reads fetch the range in windows with ranged GETs.

#include "files/blob_store.hpp"

#include <chrono>
#include <cstddef>
#include <string>

namespace writeen::files {

/// Where and how to reach the bucket.
struct s3_options {
    std::string endpoint;            ///< e.g. "https://s3.eu-central-1.amazonaws.com", "http://127.0.0.1:4568"
    std::string bucket;              ///< bucket name (must exist)
    std::string region = "us-east-1";  ///< signing region
    std::string access_key;          ///< access key id
    std::string secret_key;          ///< secret access key
    bool path_style = true;          ///< endpoint/bucket/key (MinIO, s3rver) instead of bucket.endpoint/key
    std::string key_prefix;          ///< prepended to every key, e.g. "blobs/"; [A-Za-z0-9/_.-] only
    std::size_t part_size = 8 * 1024 * 1024;    ///< multipart part size; S3 needs ≥ 5 MiB
    std::size_t read_window = 1024 * 1024;      ///< bytes per ranged GET while reading
    std::chrono::milliseconds connect_timeout{10000};  ///< per connection attempt
    std::chrono::seconds stall_timeout{30};  ///< a transfer moving no bytes this long fails
};

/// A blob_store on S3. Thread-safe; each writer/reader keeps its own connection and must not
/// outlive the store.
class s3_blob_store final : public blob_store {
public:
    /// Checks the options (not the connection). Throws std::invalid_argument.
    explicit s3_blob_store(s3_options options);

    std::unique_ptr<blob_writer> begin_write(std::string_view key) override;
    std::unique_ptr<blob_reader> open_read(std::string_view key, std::uint64_t offset = 0,
                                           std::uint64_t length = to_end) override;
    void remove(std::string_view key) override;
    bool exists(std::string_view key) override;
    std::uint64_t size(std::string_view key) override;

    /// The options in use.
    const s3_options& options() const { return options_; }

private:
    s3_options options_;
};

}  // namespace writeen::files

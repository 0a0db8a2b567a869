#pragma once
// Where file bytes live. Blobs are immutable once committed and addressed by server-made keys
// (lowercase hex), never by anything a client chose. Implementations: local_blob_store,
// s3_blob_store, and the encrypted_blob_store decorator over either.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace writeen::files {

/// True for a valid blob key: 1..128 lowercase hex digits. Stores refuse every other key, so a
/// key can never name a path or URL outside the store.
bool is_valid_blob_key(std::string_view key);

/// Throws std::invalid_argument unless is_valid_blob_key(key).
void require_valid_blob_key(std::string_view key);

/// Streams one new blob into a store. Nothing is visible under the key until commit(); a writer
/// destroyed without commit() aborts. One thread at a time.
class blob_writer {
public:
    virtual ~blob_writer() = default;
    /// Appends bytes. Throws storage_error.
    virtual void write(std::string_view chunk) = 0;
    /// Makes the blob durable and visible under its key, replacing any blob already there.
    /// Throws storage_error; the blob is then absent.
    virtual void commit() = 0;
    /// Discards everything written. Never throws; a no-op after commit() or abort().
    virtual void abort() noexcept = 0;
};

/// Streams a byte range of a stored blob. One thread at a time.
class blob_reader {
public:
    virtual ~blob_reader() = default;
    /// Fills up to out.size() bytes; returns how many, 0 only at the end of the range.
    /// Throws storage_error or integrity_error.
    virtual std::size_t read(std::span<char> out) = 0;
};

/// Length value meaning "to the end of the blob".
inline constexpr std::uint64_t to_end = std::numeric_limits<std::uint64_t>::max();

/// A store of immutable blobs. Implementations are thread-safe; writers and readers are not.
class blob_store {
public:
    virtual ~blob_store() = default;
    /// Starts writing the blob key. Throws std::invalid_argument for an invalid key.
    virtual std::unique_ptr<blob_writer> begin_write(std::string_view key) = 0;
    /// Opens bytes [offset, offset + length) of blob key, cut at its end (an offset at or past
    /// the end gives an empty range). Throws blob_not_found, storage_error.
    virtual std::unique_ptr<blob_reader> open_read(std::string_view key, std::uint64_t offset = 0,
                                                   std::uint64_t length = to_end) = 0;
    /// Deletes blob key; deleting a missing blob is not an error. Throws storage_error.
    virtual void remove(std::string_view key) = 0;
    /// True if blob key exists. Throws storage_error.
    virtual bool exists(std::string_view key) = 0;
    /// The size in bytes of blob key (for encrypted stores: of the plaintext). Throws
    /// blob_not_found, storage_error.
    virtual std::uint64_t size(std::string_view key) = 0;
};

/// Reads a whole range of a blob into memory; for small blobs and tests only.
std::string read_all(blob_reader& reader);

}  // namespace writeen::files

#pragma once
// Encryption at rest as a decorator, so the local and the S3 store stay plain byte stores and
// the pipeline above sees plaintext only.

#include "files/blob_cipher.hpp"
#include "files/blob_store.hpp"

namespace writeen::files {

/// A blob_store that encrypts with blob_cipher into another blob_store. Range reads fetch only
/// the segments the range touches (plus the header). size() is derived from the stored size;
/// its authenticity is proven when the final segment is read (see blob_cipher.hpp).
/// Thread-safe when the inner store is.
class encrypted_blob_store final : public blob_store {
public:
    /// Stores into inner (not owned; must outlive this) using cipher.
    encrypted_blob_store(blob_store& inner, blob_cipher cipher);

    std::unique_ptr<blob_writer> begin_write(std::string_view key) override;
    std::unique_ptr<blob_reader> open_read(std::string_view key, std::uint64_t offset = 0,
                                           std::uint64_t length = to_end) override;
    void remove(std::string_view key) override;
    bool exists(std::string_view key) override;
    std::uint64_t size(std::string_view key) override;

private:
    blob_cipher::decryptor open_header(std::string_view key);

    blob_store& inner_;
    const blob_cipher cipher_;
};

}  // namespace writeen::files

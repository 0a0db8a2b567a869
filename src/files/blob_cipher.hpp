#pragma once
// Encryption at rest for blobs: AES-256-GCM over fixed-size segments (the shape of Tink's
// streaming AEAD), so a Range download decrypts only the segments it touches.
//
// Stored layout:  header | segment 0 | segment 1 | ... | segment n-1
//   header (81 bytes): magic "WRTNENC1" (8) | version 1 (1) | segment size, plaintext bytes,
//     big endian (4) | nonce prefix (8) | wrap nonce (12) | data key encrypted with the master
//     key (32) | wrap tag (16). The wrap authenticates the first 21 header bytes as AAD.
//   segment i: AES-256-GCM(data key, nonce = prefix | i as u32 BE, plaintext of segment size
//     bytes (the last: 0..segment size), AAD = header | i as u64 BE | final flag) | tag (16).
// Every blob has at least one segment and exactly one, the last, is flagged final, so removing,
// reordering or appending segments fails authentication. The plaintext size is not stored in
// the header, because the header is written before the stream's end is known (an S3 object
// cannot be patched); it follows from the stored size and is authenticated by the final flag.

#include "files/master_key.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace writeen::files {

/// Turns plaintext into the stored format above and back. Thread-safe (immutable); the
/// encryptor and decryptor it makes are used by one thread at a time.
class blob_cipher {
public:
    /// Bytes of the header.
    static constexpr std::size_t header_size = 81;
    /// Bytes of the GCM tag after each segment.
    static constexpr std::size_t tag_size = 16;
    /// Plaintext bytes per segment in new blobs.
    static constexpr std::uint32_t default_segment_size = 64 * 1024;

    /// A cipher whose blobs' data keys are wrapped by key; new blobs use segment_size
    /// (1 KiB..16 MiB).
    explicit blob_cipher(master_key key, std::uint32_t segment_size = default_segment_size);

    /// A 256-bit data key, wiped on destruction.
    struct data_key {
        /// The raw key.
        std::array<std::uint8_t, 32> bytes{};
        data_key() = default;
        data_key(const data_key&) = default;
        data_key& operator=(const data_key&) = default;
        ~data_key();
    };

    /// Encrypts one blob as a stream: header() first, then what update() and finish() emit.
    class encryptor {
    public:
        /// The header to store before any segment.
        const std::string& header() const { return header_; }
        /// Takes more plaintext; appends whole encrypted segments, if any are complete, to out.
        /// A full segment is held back until more bytes arrive or finish(), because only then is
        /// it known whether it is the last.
        void update(std::string_view plaintext, std::string& out);
        /// Encrypts the held-back bytes as the final segment and appends it to out. Once.
        void finish(std::string& out);

    private:
        friend class blob_cipher;
        encryptor() = default;
        void seal(std::string_view plain, bool final, std::string& out);

        data_key key_;
        std::string header_;
        std::string pending_;  // plaintext of the segment not yet sealed, ≤ one segment
        std::uint32_t segment_size_ = 0;
        std::uint64_t next_index_ = 0;
        bool finished_ = false;
    };

    /// Decrypts segments of one stored blob, given its header.
    class decryptor {
    public:
        /// Plaintext bytes per segment of this blob.
        std::uint32_t segment_size() const { return segment_size_; }
        /// Stored bytes of a full segment (plaintext + tag).
        std::uint64_t stored_segment_size() const { return std::uint64_t{segment_size_} + tag_size; }
        /// Number of segments in a blob of stored_size bytes; throws integrity_error if no valid
        /// blob has that size.
        std::uint64_t segment_count(std::uint64_t stored_size) const;
        /// Plaintext size of a blob of stored_size bytes; throws integrity_error as above.
        std::uint64_t plaintext_size(std::uint64_t stored_size) const;
        /// Offset in the stored blob where segment index starts.
        std::uint64_t segment_offset(std::uint64_t index) const { return header_size + index * stored_segment_size(); }
        /// Authenticates and decrypts segment index (ciphertext with its tag); final says whether
        /// it is the blob's last segment. Throws integrity_error.
        std::string decrypt_segment(std::uint64_t index, std::string_view stored, bool final) const;

    private:
        friend class blob_cipher;
        decryptor() = default;

        data_key key_;
        std::string header_;
        std::uint32_t segment_size_ = 0;
    };

    /// Starts encrypting a new blob with a fresh random data key and nonce prefix.
    encryptor begin_encrypt() const;

    /// Checks a stored header and unwraps its data key. Throws integrity_error for a damaged
    /// header or a different master key.
    decryptor open(std::string_view header) const;

private:
    master_key master_;
    std::uint32_t segment_size_;
};

}  // namespace writeen::files

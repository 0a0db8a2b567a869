#pragma once
// The key that wraps every blob's data key (encryption at rest). Losing it loses every
// encrypted file; it is kept apart from the blobs (configuration, or the data dir in embedded
// mode) and never logged.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace writeen::files {

/// A 256-bit AES key, wiped from memory on destruction.
class master_key {
public:
    /// Key length in bytes.
    static constexpr std::size_t size = 32;

    /// Reads the key from path (exactly 32 raw bytes), or creates it with 32 random bytes and
    /// mode 0600 if the file does not exist. Throws std::runtime_error on an unreadable, wrong
    /// size or group/other-accessible key file.
    static master_key load_or_create(const std::filesystem::path& path);

    /// A key from 32 raw bytes. Throws std::invalid_argument on another length.
    static master_key from_bytes(std::string_view bytes);

    /// A fresh random key (tests, and load_or_create).
    static master_key generate();

    master_key(const master_key& other) = default;
    master_key& operator=(const master_key& other) = default;
    ~master_key();

    /// The raw key bytes.
    const std::array<std::uint8_t, size>& bytes() const { return bytes_; }

private:
    master_key() = default;
    std::array<std::uint8_t, size> bytes_{};
};

}  // namespace writeen::files

#pragma once
// Helpers shared by the files tests: temporary directories, deterministic bytes, and a tiny zip
// writer for OOXML look-alikes and zip bombs (the tests link nothing but writeen_files).

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace writeen::files::test {

/// A fresh directory under the system temp dir, removed with everything in it on destruction.
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    /// The directory.
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

/// n pseudo-random bytes from seed; the same for the same arguments.
std::string random_bytes(std::size_t n, std::uint32_t seed = 1);

/// One entry of a zip archive.
struct zip_entry {
    std::string name;
    std::string data;
    bool deflate = false;  ///< compress (fixed-Huffman deflate) instead of storing
};

/// A zip archive of entries, in order.
std::string make_zip(const std::vector<zip_entry>& entries);

/// A zip of `entries` deflated entries of `each` zero bytes, under a prefix (e.g. "word/"):
/// a small file that expands far beyond a scanner's limits.
std::string make_zip_bomb(std::string_view prefix, std::size_t entries, std::size_t each);

/// The first bytes of a minimal PNG (signature and IHDR chunk) followed by filler.
std::string png_bytes();

/// The EICAR anti-virus test file.
std::string eicar();

}  // namespace writeen::files::test

#include "files/blob_store.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace writeen::files {

bool is_valid_blob_key(std::string_view key) {
    return !key.empty() && key.size() <= 128 &&
           std::all_of(key.begin(), key.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

void require_valid_blob_key(std::string_view key) {
    if (!is_valid_blob_key(key)) throw std::invalid_argument("invalid blob key");
}

std::string read_all(blob_reader& reader) {
    std::string out;
    std::array<char, 64 * 1024> buf{};
    for (std::size_t n = reader.read(buf); n > 0; n = reader.read(buf)) out.append(buf.data(), n);
    return out;
}

}  // namespace writeen::files

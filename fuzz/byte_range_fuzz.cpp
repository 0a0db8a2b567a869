// `Range` headers of downloads: any value against any body size yields a range inside the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "http/byte_range.hpp"

using writeen::http::byte_range;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < sizeof(std::uint64_t)) return 0;
    std::uint64_t body_size = 0;
    std::memcpy(&body_size, data, sizeof body_size);
    if (body_size % 3 == 0) body_size %= 4096;  // mostly small bodies, sometimes huge ones
    const std::string_view value(reinterpret_cast<const char*>(data) + sizeof body_size, size - sizeof body_size);
    const auto range = byte_range::parse(value, body_size);
    if (range.what == byte_range::kind::partial && (range.first > range.last || range.last >= body_size)) std::abort();
    return 0;
}

// The Redis bus envelope: bytes that arrive from Redis, published by any node (or anyone who
// can reach Redis). Decoding must refuse what encode did not produce, and what it accepts must
// encode back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "bus/envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    if (auto e = writeen::bus::decode(bytes)) {
        if (writeen::bus::encode(*e) != bytes) std::abort();
        if (e->d.except_connection != 0) std::abort();
    }
    return 0;
}

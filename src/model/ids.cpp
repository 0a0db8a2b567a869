#include "model/ids.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>

namespace writeen {
namespace {

std::array<std::uint8_t, 5> process_random() {
    std::random_device rd;
    std::array<std::uint8_t, 5> bytes{};
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rd());
    return bytes;
}

}  // namespace

std::string make_object_id() {
    static const std::array<std::uint8_t, 5> random = process_random();
    static std::atomic<std::uint32_t> counter{std::random_device{}()};

    const auto seconds = static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    const std::uint32_t count = counter.fetch_add(1, std::memory_order_relaxed);

    std::array<std::uint8_t, 12> raw{};
    raw[0] = static_cast<std::uint8_t>(seconds >> 24);
    raw[1] = static_cast<std::uint8_t>(seconds >> 16);
    raw[2] = static_cast<std::uint8_t>(seconds >> 8);
    raw[3] = static_cast<std::uint8_t>(seconds);
    for (int i = 0; i < 5; ++i) raw[4 + i] = random[i];
    raw[9] = static_cast<std::uint8_t>(count >> 16);
    raw[10] = static_cast<std::uint8_t>(count >> 8);
    raw[11] = static_cast<std::uint8_t>(count);

    static constexpr char hex[] = "0123456789abcdef";
    std::string id(24, '0');
    for (int i = 0; i < 12; ++i) {
        id[2 * i] = hex[raw[i] >> 4];
        id[2 * i + 1] = hex[raw[i] & 0xF];
    }
    return id;
}

bool is_object_id(std::string_view s) {
    if (s.size() != 24) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

}  // namespace writeen

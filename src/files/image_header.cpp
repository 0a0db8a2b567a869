#include "files/image_header.hpp"

#include <cstdint>
#include <optional>

namespace writeen::files {
namespace {

using state = image_header::state;

std::uint32_t be16(std::string_view s, std::size_t i) {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(s[i])) << 8) | static_cast<unsigned char>(s[i + 1]);
}
std::uint32_t be32(std::string_view s, std::size_t i) { return (be16(s, i) << 16) | be16(s, i + 2); }
std::uint32_t le16(std::string_view s, std::size_t i) {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(s[i + 1])) << 8) | static_cast<unsigned char>(s[i]);
}
std::uint32_t le24(std::string_view s, std::size_t i) {
    return le16(s, i) | (static_cast<std::uint32_t>(static_cast<unsigned char>(s[i + 2])) << 16);
}

image_header found(std::uint32_t width, std::uint32_t height) {
    if (width == 0 || height == 0) return {state::unknown, {}};
    return {state::found, {static_cast<std::int64_t>(width), static_cast<std::int64_t>(height)}};
}
constexpr image_header need_more{state::need_more, {}};
constexpr image_header unknown{state::unknown, {}};

image_header png(std::string_view s) {
    if (s.size() < 24) return need_more;
    if (s.substr(12, 4) != "IHDR") return unknown;
    return found(be32(s, 16), be32(s, 20));
}

image_header gif(std::string_view s) {
    if (s.size() < 10) return need_more;
    return found(le16(s, 6), le16(s, 8));
}

image_header webp(std::string_view s) {
    if (s.size() < 30) return need_more;
    const std::string_view chunk = s.substr(12, 4);
    if (chunk == "VP8 ") {
        // Key frame start code, then 14-bit width and height (the top 2 bits are scaling).
        if (s.substr(23, 3) != "\x9d\x01\x2a") return unknown;
        return found(le16(s, 26) & 0x3FFF, le16(s, 28) & 0x3FFF);
    }
    if (chunk == "VP8L") {
        if (static_cast<unsigned char>(s[20]) != 0x2F) return unknown;
        const std::uint32_t bits = le16(s, 21) | (le16(s, 23) << 16);
        return found((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
    }
    if (chunk == "VP8X") return found(le24(s, 24) + 1, le24(s, 27) + 1);
    return unknown;
}

/// The EXIF orientation (1..8) in an APP1 segment's payload, if it has one.
std::optional<unsigned> exif_orientation(std::string_view app1) {
    if (app1.size() < 14 || app1.substr(0, 6) != std::string_view("Exif\0\0", 6)) return std::nullopt;
    const std::string_view tiff = app1.substr(6);
    const bool little = tiff.substr(0, 2) == "II";
    if (!little && tiff.substr(0, 2) != "MM") return std::nullopt;
    const auto u16 = [&](std::size_t i) { return little ? le16(tiff, i) : be16(tiff, i); };
    const auto u32 = [&](std::size_t i) { return little ? (le16(tiff, i) | (le16(tiff, i + 2) << 16)) : be32(tiff, i); };
    const std::uint32_t ifd = u32(4);
    if (ifd + 2 > tiff.size()) return std::nullopt;
    const std::uint32_t entries = u16(ifd);
    for (std::uint32_t k = 0; k < entries; ++k) {
        const std::size_t e = ifd + 2 + 12 * static_cast<std::size_t>(k);
        if (e + 12 > tiff.size()) return std::nullopt;
        if (u16(e) == 0x0112) {
            const unsigned v = u16(e + 8);
            if (v >= 1 && v <= 8) return v;
            return std::nullopt;
        }
    }
    return std::nullopt;
}

bool is_sof(unsigned marker) {
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

image_header jpeg(std::string_view s) {
    unsigned orientation = 1;
    std::size_t i = 2;
    for (;;) {
        if (i + 2 > s.size()) return need_more;
        if (static_cast<unsigned char>(s[i]) != 0xFF) return unknown;
        const unsigned marker = static_cast<unsigned char>(s[i + 1]);
        if (marker == 0xFF) {  // fill byte
            ++i;
            continue;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length
            i += 2;
            continue;
        }
        if (marker == 0xD9 || marker == 0xDA) return unknown;  // end, or scan data before any SOF
        if (i + 4 > s.size()) return need_more;
        const std::size_t length = be16(s, i + 2);
        if (length < 2) return unknown;
        if (is_sof(marker)) {
            if (i + 9 > s.size()) return need_more;
            const std::uint32_t height = be16(s, i + 5), width = be16(s, i + 7);
            // Orientations 5..8 turn the image a quarter: shown width is stored height.
            return orientation >= 5 ? found(height, width) : found(width, height);
        }
        if (marker == 0xE1) {
            if (i + 2 + length > s.size()) return need_more;
            if (auto o = exif_orientation(s.substr(i + 4, length - 2))) orientation = *o;
        }
        i += 2 + length;
    }
}

}  // namespace

image_header image_header::probe(std::string_view prefix) {
    if (prefix.size() < 12) return need_more;
    if (prefix.substr(0, 8) == "\x89PNG\r\n\x1a\n") return png(prefix);
    if (prefix.substr(0, 6) == "GIF87a" || prefix.substr(0, 6) == "GIF89a") return gif(prefix);
    if (prefix.substr(0, 4) == "RIFF" && prefix.substr(8, 4) == "WEBP") return webp(prefix);
    if (static_cast<unsigned char>(prefix[0]) == 0xFF && static_cast<unsigned char>(prefix[1]) == 0xD8) return jpeg(prefix);
    return unknown;
}

}  // namespace writeen::files

#include "files/image_header.hpp"

#include <gtest/gtest.h>

#include <string>

namespace writeen::files {
namespace {

using state = image_header::state;

std::string be16(unsigned v) { return {static_cast<char>(v >> 8), static_cast<char>(v & 0xFF)}; }
std::string be32(unsigned v) { return be16(v >> 16) + be16(v & 0xFFFF); }
std::string le16(unsigned v) { return {static_cast<char>(v & 0xFF), static_cast<char>(v >> 8)}; }

std::string png_header(unsigned width, unsigned height) {
    return std::string("\x89PNG\r\n\x1a\n", 8) + be32(13) + "IHDR" + be32(width) + be32(height) +
           std::string("\x08\x02\x00\x00\x00", 5);
}

/// A JPEG prefix: SOI, an optional EXIF APP1 with the orientation, an APP0 of filler, SOF0.
std::string jpeg_header(unsigned width, unsigned height, unsigned orientation = 0, std::size_t filler = 16) {
    std::string out("\xFF\xD8", 2);
    if (orientation) {
        std::string tiff = std::string("MM\x00\x2A", 4) + be32(8) + be16(1) + be16(0x0112) + be16(3) + be32(1) +
                           be16(orientation) + be16(0) + be32(0);
        const std::string payload = std::string("Exif\0\0", 6) + tiff;
        out += std::string("\xFF\xE1", 2) + be16(static_cast<unsigned>(payload.size() + 2)) + payload;
    }
    out += std::string("\xFF\xE0", 2) + be16(static_cast<unsigned>(filler + 2)) + std::string(filler, 'j');
    out += std::string("\xFF\xC0", 2) + be16(17) + "\x08" + be16(height) + be16(width) + std::string(12, '\x01');
    return out;
}

TEST(image_header, reads_png_width_and_height_from_ihdr) {
    const auto h = image_header::probe(png_header(600, 300));
    ASSERT_EQ(h.result, state::found);
    EXPECT_EQ(h.size.width, 600);
    EXPECT_EQ(h.size.height, 300);
}

TEST(image_header, reads_jpeg_size_from_sof_past_large_metadata) {
    const auto h = image_header::probe(jpeg_header(1024, 768, 0, 60000));
    ASSERT_EQ(h.result, state::found);
    EXPECT_EQ(h.size.width, 1024);
    EXPECT_EQ(h.size.height, 768);
}

TEST(image_header, applies_the_exif_orientation_like_the_thumbnailer) {
    const auto turned = image_header::probe(jpeg_header(1024, 768, 6));
    ASSERT_EQ(turned.result, state::found);
    EXPECT_EQ(turned.size.width, 768);
    EXPECT_EQ(turned.size.height, 1024);
    const auto upright = image_header::probe(jpeg_header(1024, 768, 3));
    EXPECT_EQ(upright.size.width, 1024);
}

TEST(image_header, reads_gif_and_webp_sizes) {
    const auto gif = image_header::probe(std::string("GIF89a") + le16(320) + le16(200) + std::string(8, '\0'));
    ASSERT_EQ(gif.result, state::found);
    EXPECT_EQ(gif.size.width, 320);
    EXPECT_EQ(gif.size.height, 200);
    // VP8X: 24-bit width-1 and height-1 at offset 24.
    std::string vp8x = std::string("RIFF") + std::string(4, '\0') + "WEBPVP8X" + std::string(8, '\0');
    vp8x += std::string("\x3F\x01\x00", 3) + std::string("\xC7\x00\x00", 3);  // 320, 200
    const auto webp = image_header::probe(vp8x);
    ASSERT_EQ(webp.result, state::found);
    EXPECT_EQ(webp.size.width, 320);
    EXPECT_EQ(webp.size.height, 200);
}

TEST(image_header, asks_for_more_bytes_when_the_header_is_cut) {
    const std::string full = jpeg_header(640, 480, 0, 5000);
    EXPECT_EQ(image_header::probe(full.substr(0, 3000)).result, state::need_more);
    EXPECT_EQ(image_header::probe(png_header(4, 4).substr(0, 16)).result, state::need_more);
}

TEST(image_header, says_unknown_for_other_content_and_broken_headers) {
    EXPECT_EQ(image_header::probe("%PDF-1.4 not an image at all").result, state::unknown);
    EXPECT_EQ(image_header::probe(png_header(0, 10)).result, state::unknown);
    EXPECT_EQ(image_header::probe(std::string("\xFF\xD8\x00\x00", 4) + std::string(20, 'x')).result, state::unknown);
}

}  // namespace
}  // namespace writeen::files

#include "files/thumbnailer.hpp"

#include <gtest/gtest.h>
#include <vips/vips.h>

#include <string>

namespace writeen::files {
namespace {

thumbnailer make(std::uint64_t max_pixels = 50'000'000) {
    thumbnailer::limits limits;
    limits.max_pixels = max_pixels;
    return thumbnailer(limits);
}

/// An encoded image made by libvips itself: width×height grey pixels, optionally with an EXIF
/// orientation tag (JPEG only).
std::string encoded(int width, int height, const char* format, int orientation = 0) {
    make();  // starts libvips
    VipsImage* black = nullptr;
    EXPECT_EQ(vips_black(&black, width, height, "bands", 3, nullptr), 0);
    VipsImage* grey = nullptr;
    EXPECT_EQ(vips_linear1(black, &grey, 1.0, 128.0, "uchar", TRUE, nullptr), 0);
    g_object_unref(black);
    if (orientation) vips_image_set_int(grey, VIPS_META_ORIENTATION, orientation);
    void* out = nullptr;
    std::size_t size = 0;
    const std::string f = format;
    const int failed = f == "jpeg"  ? vips_jpegsave_buffer(grey, &out, &size, nullptr)
                       : f == "png" ? vips_pngsave_buffer(grey, &out, &size, nullptr)
                                    : vips_gifsave_buffer(grey, &out, &size, nullptr);
    EXPECT_EQ(failed, 0) << vips_error_buffer();
    g_object_unref(grey);
    std::string bytes(static_cast<const char*>(out), size);
    g_free(out);
    return bytes;
}

/// Width and height of a JPEG from its SOF marker, and whether it carries an APP1 (EXIF/XMP).
struct jpeg_info {
    int width = 0, height = 0;
    bool app1 = false;
};
jpeg_info inspect_jpeg(const std::string& b) {
    jpeg_info info;
    EXPECT_EQ(static_cast<unsigned char>(b[0]), 0xff);
    EXPECT_EQ(static_cast<unsigned char>(b[1]), 0xd8);
    std::size_t i = 2;
    const auto u16 = [&](std::size_t at) {
        return (static_cast<unsigned char>(b[at]) << 8) | static_cast<unsigned char>(b[at + 1]);
    };
    while (i + 9 < b.size()) {
        const int marker = u16(i);
        if (marker == 0xffe1) info.app1 = true;
        if (marker >= 0xffc0 && marker <= 0xffc3) {
            info.height = u16(i + 5);
            info.width = u16(i + 7);
            return info;
        }
        i += 2 + static_cast<std::size_t>(u16(i + 2));
    }
    ADD_FAILURE() << "no SOF marker";
    return info;
}

TEST(thumbnailer, measures_png_jpeg_and_gif_from_their_headers) {
    const auto t = make();
    for (const char* format : {"png", "jpeg", "gif"}) {
        const auto size = t.measure(encoded(320, 200, format));
        EXPECT_EQ(size.width, 320) << format;
        EXPECT_EQ(size.height, 200) << format;
    }
}

TEST(thumbnailer, measured_size_follows_the_exif_orientation) {
    const auto size = make().measure(encoded(320, 200, "jpeg", 6));  // 6: rotate 90° clockwise
    EXPECT_EQ(size.width, 200);
    EXPECT_EQ(size.height, 320);
}

TEST(thumbnailer, thumbnail_is_rotated_by_exif_bounded_and_carries_no_metadata) {
    const auto thumb = make().thumbnail(encoded(800, 400, "jpeg", 6), 150);
    const auto info = inspect_jpeg(thumb);
    EXPECT_EQ(info.width, 75);
    EXPECT_EQ(info.height, 150);
    EXPECT_FALSE(info.app1);
}

TEST(thumbnailer, small_images_are_never_enlarged) {
    const auto info = inspect_jpeg(make().thumbnail(encoded(100, 50, "png"), 1024));
    EXPECT_EQ(info.width, 100);
    EXPECT_EQ(info.height, 50);
}

TEST(thumbnailer, an_image_declaring_more_pixels_than_the_cap_is_refused_before_decoding) {
    const auto t = make(10'000);
    EXPECT_THROW(t.measure(encoded(200, 100, "png")), preview_error);
    EXPECT_THROW(t.thumbnail(encoded(200, 100, "png"), 150), preview_error);
    EXPECT_NO_THROW(t.measure(encoded(100, 100, "png")));
}

TEST(thumbnailer, refuses_what_is_not_an_allowed_image) {
    const auto t = make();
    EXPECT_THROW(t.measure("plain text, not an image"), preview_error);
    EXPECT_THROW(t.thumbnail(std::string("\x89PNG\r\n\x1a\n truncated", 18), 150), preview_error);
    // A PDF has a preview but no measured size.
    EXPECT_THROW(t.measure("%PDF-1.4\n%%EOF\n"), preview_error);
}

}  // namespace
}  // namespace writeen::files

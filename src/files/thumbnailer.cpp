#include "files/thumbnailer.hpp"

#include <vips/vips.h>

#include <cctype>
#include <memory>
#include <mutex>

namespace writeen::files {
namespace {

[[noreturn]] void fail_with_vips(const std::string& what) {
    std::string detail = vips_error_buffer();
    vips_error_clear();
    if (detail.size() > 200) detail.resize(200);
    throw preview_error(what + (detail.empty() ? "" : ": " + detail));
}

struct unref_image {
    void operator()(VipsImage* image) const { g_object_unref(image); }
};
using image_ptr = std::unique_ptr<VipsImage, unref_image>;

// Only the loaders of the allowed upload types: libvips has loaders for many formats whose
// parsers are a larger attack surface (and which the content sniffer never lets through).
// libvips names loaders by class ("VipsForeignLoadPngBuffer", "VipsForeignLoadNsgifBuffer"),
// which vary with the libraries it was built with; ImageMagick's catch-all is never accepted.
bool allowed_loader(std::string_view name, bool pdf_allowed) {
    std::string lower;
    for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.find("magick") != std::string::npos) return false;
    for (std::string_view kind : {"jpeg", "png", "gif", "webp"})
        if (lower.find(kind) != std::string::npos) return true;
    return pdf_allowed && lower.find("pdf") != std::string::npos;
}

/// Opens data lazily (header only) with an allowed loader and checks the pixel cap.
image_ptr open_checked(std::string_view data, bool pdf_allowed, std::uint64_t max_pixels) {
    const char* loader = vips_foreign_find_load_buffer(data.data(), data.size());
    if (!loader) {
        vips_error_clear();
        throw preview_error("not an image libvips can read");
    }
    if (!allowed_loader(loader, pdf_allowed)) throw preview_error(std::string("not a previewable type (") + loader + ")");
    VipsImage* raw = vips_image_new_from_buffer(data.data(), data.size(), "", "access", VIPS_ACCESS_SEQUENTIAL, nullptr);
    if (!raw) fail_with_vips("cannot read the image header");
    image_ptr image(raw);
    const auto width = static_cast<std::uint64_t>(vips_image_get_width(raw));
    const auto height = static_cast<std::uint64_t>(vips_image_get_height(raw));
    if (width == 0 || height == 0 || width > max_pixels || height > max_pixels || width * height > max_pixels)
        throw preview_error("the image declares " + std::to_string(width) + "x" + std::to_string(height) +
                            " pixels, over the cap");
    return image;
}

int orientation_of(VipsImage* image) {
    int orientation = 1;
    if (vips_image_get_typeof(image, VIPS_META_ORIENTATION) &&
        vips_image_get_int(image, VIPS_META_ORIENTATION, &orientation) != 0) {
        vips_error_clear();
        orientation = 1;
    }
    return orientation;
}

}  // namespace

thumbnailer::thumbnailer(limits lim) : limits_(std::move(lim)) {
    static std::once_flag started;
    std::call_once(started, [] {
        if (VIPS_INIT("writeen-chat") != 0) fail_with_vips("cannot start libvips");
        // Cached operations hold references to their input buffers, which are upload bytes.
        vips_cache_set_max(0);
        // The worker pool is the parallelism; libvips' own threads would multiply it.
        vips_concurrency_set(1);
    });
}

image_size thumbnailer::measure(std::string_view data) const {
    image_ptr image = open_checked(data, false, limits_.max_pixels);
    image_size size{vips_image_get_width(image.get()), vips_image_get_height(image.get())};
    // EXIF orientations 5..8 turn the image a quarter: shown width is stored height.
    if (orientation_of(image.get()) >= 5) std::swap(size.width, size.height);
    return size;
}

std::string thumbnailer::thumbnail(std::string_view data, int long_side) const {
    // The check before decoding: vips_thumbnail_buffer would decode whatever the header says.
    open_checked(data, true, limits_.max_pixels);
    VipsImage* raw = nullptr;
    // thumbnail applies the EXIF orientation itself; size=down never enlarges a small image.
    if (vips_thumbnail_buffer(const_cast<char*>(data.data()), data.size(), &raw, long_side, "height", long_side, "size",
                              VIPS_SIZE_DOWN, nullptr) != 0)
        fail_with_vips("cannot make a thumbnail");
    image_ptr thumb(raw);
    if (vips_image_hasalpha(thumb.get())) {
        // JPEG has no transparency: transparent areas become white, as a chat shows them.
        VipsArrayDouble* white = vips_array_double_newv(1, 255.0);
        VipsImage* flat = nullptr;
        const int failed = vips_flatten(thumb.get(), &flat, "background", white, nullptr);
        vips_area_unref(VIPS_AREA(white));
        if (failed != 0) fail_with_vips("cannot flatten the thumbnail");
        thumb.reset(flat);
    }
    void* out = nullptr;
    std::size_t out_size = 0;
    // JPEG rather than WebP: libvips 8.14's webpsave writes an EXIF chunk even with strip set,
    // and a thumbnail must carry no metadata of the upload.
    if (vips_jpegsave_buffer(thumb.get(), &out, &out_size, "Q", 82, "strip", TRUE, "optimize_coding", TRUE, nullptr) != 0)
        fail_with_vips("cannot encode the thumbnail");
    std::string bytes(static_cast<const char*>(out), out_size);
    g_free(out);
    return bytes;
}

}  // namespace writeen::files

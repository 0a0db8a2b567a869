#pragma once
// Previews of uploads with libvips: measuring images, and thumbnails of images and the first
// page of PDFs (office documents first become a PDF: see office_converter.hpp).
// Uploads are hostile input: only the loaders of the allowed types are used, and an image whose
// header promises more pixels than the cap is refused before a single pixel is decoded.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace writeen::files {

/// The content cannot be previewed: not an allowed image or PDF, damaged, or over the pixel cap.
class preview_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Width and height as the image is shown (after its EXIF orientation).
struct image_size {
    std::int64_t width = 0;   ///< pixels
    std::int64_t height = 0;  ///< pixels
};

/// Makes previews. Thread-safe; calls block (decoding): run them on a
/// worker_pool.
class thumbnailer {
public:
    /// Limits of the preview work.
    struct limits {
        std::uint64_t max_pixels = 50'000'000;  ///< width × height an image may declare
    };

    /// Starts libvips once per process (no operation cache: it would keep upload buffers alive).
    explicit thumbnailer(limits lim);

    /// The displayed size of an image (JPEG, PNG, GIF, WebP), from its header only. Throws
    /// preview_error for anything else or when over the pixel cap.
    image_size measure(std::string_view data) const;

    /// A JPEG thumbnail of an image or of a PDF's first page whose long side is at most
    /// long_side, EXIF orientation applied and every metadata stripped. Throws preview_error.
    std::string thumbnail(std::string_view data, int long_side) const;

private:
    limits limits_;
};

}  // namespace writeen::files

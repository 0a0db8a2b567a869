#pragma once
// Previews of uploads with libvips: measuring images, and thumbnails of images and the first
// page of PDFs (office documents first become a PDF through LibreOffice, when installed).
// Uploads are hostile input: only the loaders of the allowed types are used, and an image whose
// header promises more pixels than the cap is refused before a single pixel is decoded.

#include <chrono>
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

/// Makes previews. Thread-safe; calls block (decoding, a LibreOffice process): run them on a
/// worker_pool.
class thumbnailer {
public:
    /// Limits of the preview work.
    struct limits {
        std::uint64_t max_pixels = 50'000'000;  ///< width × height an image may declare
        std::string soffice;                    ///< LibreOffice binary for DOCX/PPTX; empty: none
        std::chrono::seconds convert_timeout{60};  ///< a conversion running longer is killed
    };

    /// Starts libvips once per process (no operation cache: it would keep upload buffers alive).
    explicit thumbnailer(limits lim);

    /// The displayed size of an image (JPEG, PNG, GIF, WebP), from its header only. Throws
    /// preview_error for anything else or when over the pixel cap.
    image_size measure(std::string_view data) const;

    /// A JPEG thumbnail of an image or of a PDF's first page whose long side is at most
    /// long_side, EXIF orientation applied and every metadata stripped. Throws preview_error.
    std::string thumbnail(std::string_view data, int long_side) const;

    /// Converts a DOCX or PPTX to PDF with LibreOffice headless under the timeout. Throws
    /// preview_error when it fails, times out, or no soffice is configured.
    std::string office_to_pdf(std::string_view data, std::string_view extension) const;

    /// True when office_to_pdf can work.
    bool converts_office() const { return !limits_.soffice.empty(); }

    /// The LibreOffice binary on PATH (soffice or libreoffice), or empty.
    static std::string find_soffice();

private:
    limits limits_;
};

}  // namespace writeen::files

#pragma once
// The displayed size of an image read from its first bytes (PNG IHDR, GIF screen descriptor,
// WebP VP8/VP8L/VP8X, JPEG SOF with the EXIF orientation), so an upload's answer can carry
// width and height without decoding a pixel or waiting for the background measurement.

#include <string_view>

#include "files/thumbnailer.hpp"

namespace writeen::files {

/// What the first bytes of a file say about its size as an image.
struct image_header {
    enum class state {
        found,      ///< size is the displayed size
        need_more,  ///< the header goes on past these bytes
        unknown,    ///< not a supported image, or a header that does not parse
    };
    state result = state::unknown;
    image_size size;

    /// Reads the header in prefix, the first bytes of a file. Never throws.
    static image_header probe(std::string_view prefix);
};

}  // namespace writeen::files

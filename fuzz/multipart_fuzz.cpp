// Upload bodies: the streaming multipart parser fed in chunks of varying sizes must either parse
// or throw, and the part bytes it emits never exceed what it was fed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "files/multipart_parser.hpp"

using writeen::files::multipart_parser;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::size_t chunk = 1 + data[0] % 64;  // the first byte chooses the chunk size
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    // The boundary is the content type's, so the boundary parser is exercised too.
    const auto line_end = rest.find('\n');
    if (line_end == std::string_view::npos) return 0;
    const auto boundary = multipart_parser::boundary_from_content_type(rest.substr(0, line_end));
    if (!boundary) return 0;
    const std::string_view body = rest.substr(line_end + 1);
    std::size_t emitted = 0;
    int open_parts = 0;
    multipart_parser parser(*boundary, {
        .on_part_begin = [&](const writeen::files::part_headers&) { ++open_parts; },
        .on_part_data = [&](std::string_view bytes) { emitted += bytes.size(); },
        .on_part_end = [&] { --open_parts; },
    });
    try {
        for (std::size_t at = 0; at < body.size(); at += chunk) parser.feed(body.substr(at, chunk));
        parser.finish();
    } catch (const std::exception&) {
        return 0;
    }
    if (emitted > body.size() || open_parts != 0) std::abort();
    return 0;
}

// What an upload really is: libmagic and the OOXML prefix checks see attacker bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "files/content_sniffer.hpp"

using writeen::files::content_sniffer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const content_sniffer sniffer;
    const std::string_view bytes(reinterpret_cast<const char*>(data),
                                 size < content_sniffer::sniff_bytes ? size : content_sniffer::sniff_bytes);
    const std::string mime = sniffer.sniff(bytes);
    for (const char* ext : {".pdf", ".docx", ".pptx", ".txt", ".jpg", ".png", ".gif"})
        (void)content_sniffer::matches_extension(ext, mime, bytes);
    return 0;
}

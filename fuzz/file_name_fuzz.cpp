// Client-supplied file names: what survives sanitising is one path component of valid UTF-8,
// 1..255 bytes, without separators or control characters, and its Content-Disposition has no
// line break a header could be split at.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "auth/utf8.hpp"
#include "files/file_name.hpp"

using writeen::files::file_name;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view original(reinterpret_cast<const char*>(data), size);
    const auto name = file_name::sanitize(original);
    if (!name) return 0;
    const std::string& v = name->value();
    if (v.empty() || v.size() > file_name::max_bytes) std::abort();
    if (v == "." || v == ".." || v.find_first_of("/\\") != std::string::npos) std::abort();
    for (unsigned char c : v)
        if (c < 0x20 || c == 0x7f) std::abort();
    if (!writeen::auth::utf8_length(v)) std::abort();
    const auto disposition = name->content_disposition();
    if (disposition.find_first_of("\r\n") != std::string::npos) std::abort();
    (void)name->extension();
    return 0;
}

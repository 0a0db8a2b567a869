#include "files/content_sniffer.hpp"

#include <magic.h>

#include <cstdint>
#include <stdexcept>

namespace writeen::files {
namespace {

std::uint16_t le16(std::string_view s, std::size_t i) {
    return static_cast<std::uint16_t>(static_cast<unsigned char>(s[i]) | (static_cast<unsigned char>(s[i + 1]) << 8));
}

// True if a zip local file header in data names an entry starting with prefix. Local headers
// are scanned by signature rather than by walking sizes, because streamed zips (bit 3 set)
// leave the sizes in the header zero; a false hit inside compressed data only makes the check
// more lenient, and the type was already confirmed to be zip by libmagic.
bool zip_prefix_has_entry(std::string_view data, std::string_view prefix) {
    static constexpr std::string_view local_header = "PK\x03\x04";
    constexpr std::size_t fixed_part = 30;
    for (std::size_t pos = data.find(local_header); pos != std::string_view::npos;
         pos = data.find(local_header, pos + 1)) {
        if (pos + fixed_part > data.size()) break;
        const std::size_t name_len = le16(data, pos + 26);
        if (pos + fixed_part + name_len > data.size()) break;
        if (data.substr(pos + fixed_part, name_len).starts_with(prefix)) return true;
    }
    return false;
}

}  // namespace

content_sniffer::content_sniffer() : cookie_(magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR)) {
    if (cookie_ == nullptr) throw std::runtime_error("magic_open failed");
    if (magic_load(static_cast<magic_t>(cookie_), nullptr) != 0) {
        const std::string why = magic_error(static_cast<magic_t>(cookie_)) ? magic_error(static_cast<magic_t>(cookie_)) : "";
        magic_close(static_cast<magic_t>(cookie_));
        throw std::runtime_error("cannot load the libmagic database: " + why);
    }
}

content_sniffer::~content_sniffer() { magic_close(static_cast<magic_t>(cookie_)); }

std::string content_sniffer::sniff(std::string_view first_bytes) const {
    std::lock_guard lock(mutex_);
    const char* mime = magic_buffer(static_cast<magic_t>(cookie_), first_bytes.data(), first_bytes.size());
    // libmagic gives up on some inputs without saying why (a few bytes such as 00 00 FE FF FF F7,
    // found by fuzzing, fail its text-encoding pass): bytes it cannot name are of no known type,
    // which no allowed extension matches, so the upload is refused instead of failing with 500.
    if (mime == nullptr) return "application/octet-stream";
    return mime;
}

bool content_sniffer::matches_extension(std::string_view ext, std::string_view mime, std::string_view first_bytes) {
    if (ext == ".pdf") return mime == "application/pdf";
    if (ext == ".png") return mime == "image/png";
    if (ext == ".gif") return mime == "image/gif";
    if (ext == ".jpg" || ext == ".jpeg") return mime == "image/jpeg";
    if (ext == ".txt") {
        // libmagic names text by what it looks like (text/x-c, text/csv, ...); all are text.
        // An empty file is a valid, empty text file.
        return mime.starts_with("text/") || mime == "application/x-empty" || mime == "inode/x-empty";
    }
    // An OOXML document is a zip. libmagic names it precisely when [Content_Types].xml and the
    // document's folder come early in the archive (as Word, PowerPoint and LibreOffice write
    // them); otherwise it only says application/zip and the entry names in the first bytes must
    // show the document's folder. A zip whose folder entry lies beyond the sniffed prefix is
    // refused: proving it would need the central directory at the end of the file.
    if (ext == ".docx") {
        if (mime == "application/vnd.openxmlformats-officedocument.wordprocessingml.document") return true;
        return mime == "application/zip" && zip_prefix_has_entry(first_bytes, "word/");
    }
    if (ext == ".pptx") {
        if (mime == "application/vnd.openxmlformats-officedocument.presentationml.presentation") return true;
        return mime == "application/zip" && zip_prefix_has_entry(first_bytes, "ppt/");
    }
    return false;
}

}  // namespace writeen::files

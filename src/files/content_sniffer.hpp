#pragma once
// Decides what an upload really is from its first bytes (libmagic), so that the extension
// allow-list cannot be passed by renaming a file.

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

namespace writeen::files {

/// MIME detection with libmagic's default database (Debian libmagic-mgc). Thread-safe: one
/// magic handle shared under a mutex, since a sniff of a few KiB is short and handles are large.
class content_sniffer {
public:
    /// How many leading bytes the caller should pass to sniff() and matches_extension(): enough
    /// for libmagic's OOXML rules and for the zip entries that name a document's parts.
    static constexpr std::size_t sniff_bytes = 64 * 1024;

    /// Loads the default magic database. Throws std::runtime_error if it cannot be loaded.
    content_sniffer();
    ~content_sniffer();
    content_sniffer(const content_sniffer&) = delete;
    content_sniffer& operator=(const content_sniffer&) = delete;

    /// The MIME type (e.g. "application/pdf") of data, the first bytes of a file;
    /// "application/octet-stream" for bytes libmagic cannot name.
    std::string sniff(std::string_view first_bytes) const;

    /// True if mime (from sniff) is what a file with extension ext (lowercase, with dot, one of
    /// .pdf .docx .pptx .txt .jpg .jpeg .png .gif) must be. For .docx/.pptx a generic zip is
    /// accepted only if its first bytes contain a `word/` resp. `ppt/` entry; see the .cpp for
    /// what a prefix can and cannot prove. Unknown extensions never match.
    static bool matches_extension(std::string_view ext, std::string_view mime, std::string_view first_bytes);

private:
    mutable std::mutex mutex_;
    void* cookie_;  // magic_t; guarded by mutex_ (libmagic handles are not thread-safe)
};

}  // namespace writeen::files

#pragma once
// The first page of a DOCX or PPTX as a PDF, made by LibreOffice headless in a child process.
// Office documents are hostile input, so each conversion is boxed in: a fresh LibreOffice
// profile in a fresh work directory (removed afterwards) whose settings forbid macros and send
// every HTTP/HTTPS/FTP fetch to a proxy that does not exist; a cap on the address space
// (RLIMIT_AS); no inherited file descriptors; its own process group, killed whole on timeout.
// Only page 1 is exported, so a document of thousands of pages costs no more than one.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace writeen::files {

/// Converts one document at a time per calling thread; thread-safe (no shared state).
class office_converter {
public:
    struct limits {
        std::string soffice;                            ///< the LibreOffice binary; empty: none
        std::chrono::seconds timeout{60};               ///< a conversion running longer is killed
        std::uint64_t memory_bytes = 2ULL << 30;        ///< RLIMIT_AS of the LibreOffice process
    };

    explicit office_converter(limits lim) : limits_(std::move(lim)) {}

    /// True when a LibreOffice binary is configured.
    bool enabled() const { return !limits_.soffice.empty(); }
    /// The configured binary (empty when none).
    const std::string& binary() const { return limits_.soffice; }

    /// The first page of a document (extension ".docx" or ".pptx") as PDF bytes. Blocks for
    /// the conversion. Throws preview_error when it fails, times out, or no soffice is set.
    std::string first_page_pdf(std::string_view data, std::string_view extension) const;

    /// The LibreOffice binary on PATH (soffice or libreoffice), or empty.
    static std::string find_soffice();

private:
    limits limits_;
};

}  // namespace writeen::files

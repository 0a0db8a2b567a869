#pragma once
// Virus scanning with ClamAV's clamd over its INSTREAM command. Anything short of a clear
// "OK" from clamd is never clean: a file is only served once clamd has vouched for it. Two
// kinds of failure are told apart, because they call for different handling: clamd could not
// be reached or broke off before answering (unavailable: scan again once it is back), and
// clamd answered but refused this stream (error: a size limit, a garbled answer).

#include <chrono>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace writeen::files {

/// The outcome of one scan.
struct scan_verdict {
    /// What clamd concluded.
    enum class kind { clean, infected, error, unavailable };
    /// The conclusion; error unless clamd said otherwise.
    kind result = kind::error;
    /// infected: the signature name (e.g. "Eicar-Signature.UNOFFICIAL"); error, unavailable: the reason.
    std::string detail;

    /// A clean verdict.
    static scan_verdict clean() { return {kind::clean, {}}; }
    /// An infected verdict naming the signature.
    static scan_verdict infected(std::string name) { return {kind::infected, std::move(name)}; }
    /// An error verdict with its reason.
    static scan_verdict error(std::string reason) { return {kind::error, std::move(reason)}; }
    /// No verdict: clamd was not reachable, timed out or closed the connection without an
    /// answer. Says nothing about the bytes; the scan should be tried again later.
    static scan_verdict unavailable(std::string reason) { return {kind::unavailable, std::move(reason)}; }
};

/// Parses clamd's reply to INSTREAM ("stream: OK", "stream: <name> FOUND", "... ERROR").
/// Anything else is an error verdict.
scan_verdict parse_clamd_reply(std::string_view reply);

/// A client for one clamd address. Each scan opens its own connection, so the scanner is
/// thread-safe and scans run in parallel up to clamd's MaxThreads. Calls block: run them on a
/// worker_pool.
class clamd_scanner {
public:
    /// Fills the buffer with the next bytes to scan; returns how many, 0 at the end.
    using source = std::function<std::size_t(std::span<char>)>;

    /// Time limits of one scan.
    struct timeouts {
        std::chrono::milliseconds connect{5000};  ///< to establish the connection
        std::chrono::milliseconds io{60000};      ///< for each send, and for the verdict after the last byte
    };

    /// A scanner for address `tcp://host:port` or `unix:/path/to/clamd.sock`. Throws
    /// std::invalid_argument for any other form.
    explicit clamd_scanner(std::string address, timeouts limits);
    /// A scanner with the default timeouts.
    explicit clamd_scanner(std::string address);

    /// Streams everything read from src to clamd and returns its verdict. Never throws for
    /// clamd or network trouble (that is an unavailable verdict); exceptions from src propagate.
    scan_verdict scan(const source& src) const;

    /// Scans bytes held in memory.
    scan_verdict scan(std::string_view data) const;

    /// The address as configured.
    const std::string& address() const { return address_; }

private:
    int connect_socket() const;

    std::string address_;
    bool unix_ = false;
    std::string host_;  // tcp: host; unix: socket path
    std::string port_;
    timeouts limits_;
};

}  // namespace writeen::files

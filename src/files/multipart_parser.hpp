#pragma once
// Streaming multipart/form-data (RFC 7578) parser. The upload handler feeds it the request body
// as it arrives, in chunks of any size; file bytes leave through on_part_data as soon as they
// are known not to be part of a boundary, so memory stays bounded by the largest chunk fed plus
// the header limit, whatever the size of the body.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace writeen::files {

/// The headers of one part that the form-data handler needs.
struct part_headers {
    std::string name;                     ///< Content-Disposition name parameter (required)
    std::optional<std::string> filename;  ///< Content-Disposition filename (or filename*) if given
    std::string content_type;             ///< Content-Type of the part; empty when absent
};

/// Parses one multipart/form-data body, emitting callbacks in order:
/// (on_part_begin on_part_data* on_part_end)*. Exceptions thrown by a callback propagate out
/// of feed() and leave the parser failed. Not thread-safe; one instance per request.
class multipart_parser {
public:
    /// What the parser calls; any of them may be empty.
    struct callbacks {
        std::function<void(const part_headers&)> on_part_begin;  ///< headers of a new part
        std::function<void(std::string_view)> on_part_data;      ///< next bytes of the part body
        std::function<void()> on_part_end;                       ///< the part body is complete
    };

    /// Limits that keep a hostile body from using memory or CPU without bound.
    struct limits {
        std::size_t max_header_bytes = 8 * 1024;  ///< all header lines of one part together
        std::size_t max_parts = 32;               ///< parts in one body
    };

    /// The boundary parameter of a `multipart/form-data` Content-Type value, unquoted, or
    /// nullopt if the type is another one or the boundary is missing or invalid (RFC 2046:
    /// 1..70 characters).
    static std::optional<std::string> boundary_from_content_type(std::string_view content_type);

    /// A parser for a body delimited by boundary (as returned by boundary_from_content_type).
    multipart_parser(std::string boundary, callbacks cb, limits lim);
    /// A parser with the default limits.
    multipart_parser(std::string boundary, callbacks cb);

    /// Consumes the next chunk of the body. Throws multipart_error on malformed input.
    void feed(std::string_view chunk);

    /// Declares the end of the body. Throws multipart_error if the closing boundary was not seen.
    void finish();

    /// True once the closing boundary has been parsed; later bytes (the epilogue) are ignored.
    bool done() const { return state_ == state::epilogue; }

private:
    enum class state { preamble, after_boundary, headers, body, epilogue, failed };

    void parse();
    bool parse_preamble();
    bool parse_after_boundary();
    bool parse_headers();
    bool parse_body();
    part_headers parse_header_block(std::string_view block) const;
    [[noreturn]] void fail(const std::string& why);

    std::string delimiter_;  // "\r\n--" + boundary
    callbacks cb_;
    limits limits_;
    state state_ = state::preamble;
    std::string buffer_;     // bytes received but not yet consumed; bounded, see parse_body()
    std::size_t parts_ = 0;
    bool in_part_ = false;
};

}  // namespace writeen::files

#pragma once
// Conditional and partial downloads (RFC 9110): a single-range `Range` header and entity-tag
// lists of If-None-Match / If-Range.

#include <boost/beast/http/field.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/router.hpp"

namespace writeen::http {

/// What a `Range` header asks of a body of known size.
struct byte_range {
    enum class kind {
        whole,          ///< no range, or a form not served partially (RFC 9110 allows ignoring it)
        partial,        ///< bytes [first, last]
        unsatisfiable,  ///< outside the body: 416
    };
    kind what = kind::whole;
    std::uint64_t first = 0;
    std::uint64_t last = 0;

    /// Parses a `Range` value against a body of size bytes.
    static byte_range parse(std::string_view value, std::uint64_t size);
};

/// True when header f of req lists etag (or is `*`); weak tags compare by their opaque part.
bool etag_matches(const raw_request& req, bhttp::field f, const std::string& etag);

}  // namespace writeen::http

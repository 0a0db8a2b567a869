#pragma once
// The errors of the file pipeline. Each maps to one API outcome in the upload/download handlers:
// bad input → 400/415, a missing blob → 404/410, storage trouble → 503, tampering → 500 + alert.

#include <stdexcept>
#include <string>

namespace writeen::files {

/// A multipart body that does not follow RFC 7578 / RFC 2046 (→ 400 bad_request).
class multipart_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// No blob is stored under the key asked for.
class blob_not_found : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The backing storage failed or is unreachable (→ 503 unavailable); retrying may help.
class storage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Stored bytes failed authentication or are malformed: tampering, truncation, a wrong master
/// key. Never retried and never served.
class integrity_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace writeen::files

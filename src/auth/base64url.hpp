#pragma once
// Base64url without padding (RFC 4648 section 5), the encoding of every part of a JWS.

#include <optional>
#include <string>
#include <string_view>

namespace writeen::auth {

/// `bytes` in unpadded base64url.
std::string base64url_encode(std::string_view bytes);

/// The bytes `text` encodes; nullopt unless `text` is canonical unpadded base64url: only
/// A-Z a-z 0-9 - _, no '=', no whitespace, and zero bits after the last byte (so one byte string
/// has exactly one encoding and a signature cannot be altered without changing its meaning).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace writeen::auth

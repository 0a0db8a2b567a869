#pragma once
// The one error token verification throws.

#include <stdexcept>
#include <string>

namespace writeen::auth {

/// Why a token was refused; every reason means HTTP 401 `unauthorized` to the client, the
/// distinction is for logs and metrics (an expired token is routine, a bad signature is not).
enum class auth_failure {
    malformed,              ///< not three base64url parts of JSON objects
    algorithm_not_allowed,  ///< `alg` is none or not the configured algorithm
    bad_signature,          ///< the signature does not match the configured key
    expired,                ///< `exp` is past, beyond the leeway
    not_yet_valid,          ///< `nbf` is in the future, beyond the leeway
    wrong_issuer,           ///< `iss` is not the configured issuer
    wrong_audience,         ///< `aud` does not name the configured audience
    invalid_claims,         ///< a required claim is missing or a claim has a bad value
};

/// A token was refused. what() is a human sentence safe to show the client: it never contains
/// the token, the key or a claim value.
class auth_error : public std::runtime_error {
  public:
    /// An error of kind `reason` with the client-facing `message`.
    auth_error(auth_failure reason, const std::string& message)
        : std::runtime_error(message), reason_(reason) {}

    /// Why the token was refused.
    auth_failure reason() const noexcept { return reason_; }

  private:
    auth_failure reason_;
};

}  // namespace writeen::auth

#pragma once
// Verifies the bearer tokens the Writeen main application issues (API.md, Authentication).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/auth_error.hpp"
#include "auth/principal.hpp"

namespace writeen::auth {

/// How tokens are verified; fixed for the verifier's lifetime.
struct verifier_options {
    std::string algorithm = "HS256";        ///< the one accepted `alg`: "HS256", "RS256" or "ES256"
    std::string key{};                      ///< HS256: the shared secret's bytes (at least 32);
                                            ///< RS256/ES256: PEM public key ("BEGIN PUBLIC KEY")
    std::optional<std::string> issuer{};    ///< when set, `iss` must equal it
    std::optional<std::string> audience{};  ///< when set, `aud` (string or array) must contain it
    int leeway_seconds = 60;                ///< clock skew tolerated on `exp` and `nbf`
    std::size_t cache_capacity = 4096;      ///< verified tokens remembered; 0 disables the cache
};

/// The shortest HS256 secret accepted: as many bytes as the SHA-256 output (RFC 7518 §3.2).
inline constexpr std::size_t min_hs256_secret_bytes = 32;

/// The longest token verify accepts; bounds the work an unauthenticated request can cause.
inline constexpr std::size_t max_token_bytes = std::size_t{16} * 1024;

/// Checks a JWT's signature, algorithm, times and claims, and says who it names.
/// Thread-safe: verify may be called from any number of threads at once.
class token_verifier {
  public:
    /// A verifier for `options`. Throws std::invalid_argument when the algorithm is not one of
    /// HS256/RS256/ES256, an HS256 secret is shorter than 32 bytes, a PEM key does not parse or
    /// does not fit the algorithm (RSA of at least 2048 bits; EC on P-256), or leeway is negative.
    explicit token_verifier(verifier_options options);
    ~token_verifier();
    token_verifier(token_verifier&&) noexcept;
    token_verifier& operator=(token_verifier&&) noexcept;
    token_verifier(const token_verifier&) = delete;
    token_verifier& operator=(const token_verifier&) = delete;

    /// The principal `token` names if it is valid at `now_ms` (Unix milliseconds); throws
    /// auth_error otherwise. The header's `alg` must equal the configured algorithm (so `none`
    /// and key-confusion tokens fail before any signature is computed); `exp` is required and
    /// `nbf` honoured, both with the leeway; `iss`/`aud` checked when configured; `sub` required.
    principal verify(std::string_view token, std::int64_t now_ms) const;

    /// The configured algorithm, as in the options.
    const std::string& algorithm() const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace writeen::auth

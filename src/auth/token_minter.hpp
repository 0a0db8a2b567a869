#pragma once
// Issues HS256 tokens for development and operations: the `writeen-chat token` subcommand and
// the dev-only /api/dev/token endpoint. Production tokens come from the Writeen main app.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "model/types.hpp"

namespace writeen::auth {

/// What a minted token says, and the secret that signs it.
struct mint_options {
    std::string secret{};                 ///< HS256 secret, at least 32 bytes
    std::string subject{};                ///< `sub`: a valid user id (see is_valid_user_id)
    std::string name{};                   ///< `name`; omitted when empty (verifiers use sub)
    writeen::role role = role::student;   ///< `role`
    std::optional<std::string> avatar{};  ///< `avatar` URL, when set
    std::int64_t issued_at_ms = 0;        ///< `iat`, Unix milliseconds (truncated to seconds)
    std::chrono::seconds lifetime = std::chrono::hours(12);  ///< `exp` = iat + lifetime
    std::optional<std::string> issuer{};                     ///< `iss`, when set
    std::optional<std::string> audience{};                   ///< `aud` (one string), when set
};

/// A compact HS256 JWT for `options`. Throws std::invalid_argument when the secret is shorter
/// than 32 bytes, the subject is not a valid user id, the lifetime is not positive, or a text
/// field contains a NUL byte or invalid UTF-8.
std::string mint_token(const mint_options& options);

}  // namespace writeen::auth

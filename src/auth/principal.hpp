#pragma once
// Who a verified token says the caller is.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/types.hpp"

namespace writeen::auth {

/// The caller as a verified token describes them; what every request handler and socket acts as.
struct principal {
    std::string user_id;                 ///< `sub`: non-empty, at most 128 characters
    std::string name;                    ///< `name`, or `sub` when the token has none
    std::string avatar;                  ///< `avatar` URL; empty when the token has none
    writeen::role role = role::student;  ///< `role`; student when the token has none
    std::int64_t expires_at_ms = 0;      ///< `exp` in Unix milliseconds, without the verifier's leeway
};

/// The longest user id API.md allows, in characters (Unicode code points).
inline constexpr std::size_t max_user_id_chars = 128;

/// True when `id` may be a user id: valid UTF-8, 1..128 code points, no control characters
/// (ids end up in logs, headers and file paths, where a control character only does harm).
bool is_valid_user_id(std::string_view id);

/// The `users` record this principal's token implies, stamped as seen at `seen_at`.
writeen::user_profile to_profile(const principal& p, unix_ms seen_at);

}  // namespace writeen::auth

#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "model/types.hpp"

namespace writeen {

/// Now, in milliseconds since the epoch.
unix_ms now_ms();

/// RFC 3339 UTC with milliseconds: 2024-01-15T14:30:00.000Z.
std::string format_time(unix_ms t);

/// Parses RFC 3339 (Z or a numeric offset, optional fraction); nullopt when malformed.
std::optional<unix_ms> parse_time(std::string_view text);

}  // namespace writeen

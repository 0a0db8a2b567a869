#pragma once
#include <string>

#include "proto/error.hpp"

namespace writeen::chat {

/// Throws the domain error that REST and WebSocket map to their error envelope.
[[noreturn]] inline void fail(error_code code, std::string message) { throw api_error(code, std::move(message)); }

}  // namespace writeen::chat

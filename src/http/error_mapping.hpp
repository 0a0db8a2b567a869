#pragma once
// The one mapping from a failure to what a client is told, shared by the REST envelope and the
// WebSocket `error` event, so a failure reads the same on both transports.

#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "proto/error.hpp"

namespace writeen::http {

/// What a client learns about a failure: a code of API.md, a message safe to show, and when a
/// retry may succeed (seconds, for `Retry-After`).
struct error_envelope {
    error_code code = error_code::internal;
    std::string message;
    std::optional<int> retry_after;
};

/// Maps the exception e to its envelope. Domain errors (api_error) keep their code and text;
/// malformed multipart bodies are bad_request; a missing blob is not_found; storage or
/// blob-store failures are unavailable; a duplicate clientMessageId is conflict;
/// anything else is internal with a generic message. Whatever the client is not told in full
/// is logged with spdlog (what() included), naming `where` (e.g. "GET /api/x").
error_envelope envelope_of(std::exception_ptr e, std::string_view where = {});

}  // namespace writeen::http

#pragma once
// The id that ties together the log lines of one HTTP request and its answer (X-Request-Id).

#include <string>

#include "http/responses.hpp"

namespace writeen::http {

/// The request's X-Request-Id when it is sane (1 to 128 characters of letters, digits and
/// `-_.:`), so a proxy's id follows the request through; otherwise a new unique id. Anything
/// else is replaced, never echoed: the id goes into logs and headers.
std::string request_id_of(const raw_request& req);

/// True for an id request_id_of would accept from a client.
bool is_sane_request_id(std::string_view id);

}  // namespace writeen::http

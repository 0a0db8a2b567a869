#pragma once
// The JSON responses of API.md: the success and error envelopes with their headers.

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "http/router.hpp"
#include "proto/error.hpp"

namespace writeen::http {

/// A JSON response to req with status and an already serialised body; never cached.
response json_response(const raw_request& req, bhttp::status status, std::string body);
/// The success envelope `{"success":true,"data":...}`.
response ok_response(const raw_request& req, boost::json::value data, bhttp::status status = bhttp::status::ok);
/// The error envelope of code, with its status, `Retry-After` when given and
/// `WWW-Authenticate` for unauthorized.
response error_response(const raw_request& req, error_code code, std::string_view message,
                        std::optional<int> retry_after = std::nullopt);

}  // namespace writeen::http

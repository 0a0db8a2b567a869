#pragma once
// The one typed error of the service and its mapping to HTTP statuses and wire codes.
// Domain code throws `api_error`; exactly one place per transport turns it into a response.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace writeen {

enum class error_code {
    bad_request,
    unauthorized,
    forbidden,
    not_found,
    conflict,
    payload_too_large,
    unsupported_media_type,
    unprocessable,
    rate_limited,
    file_not_ready,
    internal,
    unavailable,
};

/// The wire name of a code (`not_found`).
std::string_view to_string(error_code code);
/// The HTTP status of a code (404).
int http_status(error_code code);

/// An error a client caused or may retry: carries the code and a message safe to show.
class api_error : public std::runtime_error {
public:
    api_error(error_code code, std::string message, std::optional<int> retry_after_seconds = std::nullopt)
        : std::runtime_error(std::move(message)), code_(code), retry_after_(retry_after_seconds) {}

    error_code code() const { return code_; }
    std::optional<int> retry_after() const { return retry_after_; }

private:
    error_code code_;
    std::optional<int> retry_after_;
};

}  // namespace writeen

#include "proto/error.hpp"

namespace writeen {

std::string_view to_string(error_code code) {
    switch (code) {
        case error_code::bad_request: return "bad_request";
        case error_code::unauthorized: return "unauthorized";
        case error_code::forbidden: return "forbidden";
        case error_code::not_found: return "not_found";
        case error_code::conflict: return "conflict";
        case error_code::payload_too_large: return "payload_too_large";
        case error_code::unsupported_media_type: return "unsupported_media_type";
        case error_code::unprocessable: return "unprocessable";
        case error_code::rate_limited: return "rate_limited";
        case error_code::file_not_ready: return "file_not_ready";
        case error_code::internal: return "internal";
        case error_code::unavailable: return "unavailable";
    }
    return "internal";
}

int http_status(error_code code) {
    switch (code) {
        case error_code::bad_request: return 400;
        case error_code::unauthorized: return 401;
        case error_code::forbidden: return 403;
        case error_code::not_found: return 404;
        case error_code::conflict: return 409;
        case error_code::payload_too_large: return 413;
        case error_code::unsupported_media_type: return 415;
        case error_code::unprocessable: return 422;
        case error_code::rate_limited: return 429;
        case error_code::file_not_ready: return 423;
        case error_code::internal: return 500;
        case error_code::unavailable: return 503;
    }
    return 500;
}

}  // namespace writeen

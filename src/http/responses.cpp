#include "http/responses.hpp"

#include <boost/beast/http/field.hpp>

#include "proto/json.hpp"

namespace writeen::http {

response json_response(const raw_request& req, bhttp::status status, std::string body) {
    response res{status, req.version()};
    res.set(bhttp::field::content_type, "application/json; charset=utf-8");
    // Envelopes carry per-user state: a shared cache must never keep one.
    res.set(bhttp::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

response ok_response(const raw_request& req, boost::json::value data, bhttp::status status) {
    return json_response(req, status, proto::success_body(std::move(data)));
}

response error_response(const raw_request& req, error_code code, std::string_view message,
                        std::optional<int> retry_after) {
    auto res = json_response(req, static_cast<bhttp::status>(http_status(code)), proto::error_body(code, message));
    if (retry_after) res.set(bhttp::field::retry_after, std::to_string(*retry_after));
    if (code == error_code::unauthorized) res.set(bhttp::field::www_authenticate, "Bearer");
    return res;
}

}  // namespace writeen::http

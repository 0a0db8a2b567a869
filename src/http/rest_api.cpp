#include "http/rest_api.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>

#include <spdlog/spdlog.h>

#include "http/error_mapping.hpp"
#include "http/request_id.hpp"
#include "http/request_parsing.hpp"
#include "http/responses.hpp"
#include "model/clock.hpp"
#include "model/log_context.hpp"

namespace writeen::http {

rest_api::rest_api(chat::service& chat, const auth::token_verifier& verifier, metrics& m, bus::bus& bus,
                   rest_options options)
    : chat_(chat),
      verifier_(verifier),
      metrics_(m),
      options_(std::move(options)),
      health_(chat, bus, m),
      conversations_(chat),
      messages_(chat, m),
      search_(chat),
      users_(chat),
      files_(chat, m),
      consultations_(chat),
      notifications_(chat),
      dev_(options_.dev_secret, options_.demo_users),
      web_client_(options_.web_root) {
    health_.add_routes(router_);
    conversations_.add_routes(router_);
    messages_.add_routes(router_);
    search_.add_routes(router_);
    users_.add_routes(router_);
    files_.add_routes(router_);
    consultations_.add_routes(router_);
    openapi_.add_routes(router_);
    notifications_.add_routes(router_);
    if (options_.dev) dev_.add_routes(router_);
}

void rest_api::set_files(uploads::upload_pipeline& pipeline) {
    files_.set_pipeline(pipeline);
    health_.set_pipeline(pipeline);
}

bool rest_api::is_upload(bhttp::verb method, std::string_view target) {
    return !files_resource::upload_target(method, target).empty();
}

bool rest_api::is_download(bhttp::verb method, std::string_view target) {
    return !files_resource::download_target(method, target).empty();
}

std::string rest_api::bearer_token(const raw_request& req) {
    auto it = req.find(bhttp::field::authorization);
    if (it == req.end()) return {};
    const std::string_view value = it->value();
    if (value.size() < 7 || (value.substr(0, 7) != "Bearer " && value.substr(0, 7) != "bearer "))
        throw api_error(error_code::unauthorized, "Authorization must be a Bearer token");
    return std::string(value.substr(7));
}

auth::principal rest_api::authenticate(const raw_request& req) const {
    return verify(bearer_token(req));
}

auth::principal rest_api::authenticate_upgrade(const raw_request& req) const {
    std::string token = bearer_token(req);
    if (token.empty()) {
        const std::string_view target = req.target();
        const auto q = target.find('?');
        if (q != std::string_view::npos)
            for (auto& [k, v] : parse_query(target.substr(q + 1)))
                if (k == "token") token = v;
    }
    return verify(token);
}

auth::principal rest_api::verify(const std::string& token) const {
    if (token.empty()) throw api_error(error_code::unauthorized, "a bearer token is required");
    try {
        return verifier_.verify(token, now_ms());
    } catch (const auth::auth_error& e) {
        throw api_error(error_code::unauthorized, e.what());
    }
}

namespace {

/// The path of a target without its query: a query may carry a token, which never goes into a log.
std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

}  // namespace

template <class Response>
void rest_api::finish(const raw_request& req, const std::string& request_id, Response& res, unix_ms started) const {
    res.set("X-Request-Id", request_id);
    const logging::request_scope scope{request_id};
    spdlog::debug("{} {} {} {} ms", std::string_view{req.method_string()}, path_of(req.target()), res.result_int(),
                  now_ms() - started);
}

response rest_api::failure_response(const raw_request& req, std::exception_ptr e, const std::string& request_id) {
    // The error's log line (error_mapping) is about this request.
    const logging::request_scope scope{request_id};
    metrics_.http_errors.fetch_add(1, std::memory_order_relaxed);
    const std::string where = std::string(req.method_string()) + " " + std::string(path_of(req.target()));
    const error_envelope envelope = envelope_of(e, where);
    if (envelope.code == error_code::rate_limited) metrics_.rate_limited.fetch_add(1, std::memory_order_relaxed);
    return error_response(req, envelope.code, envelope.message, envelope.retry_after);
}

net::awaitable<response> rest_api::handle(const raw_request& req) {
    metrics_.http_requests.fetch_add(1, std::memory_order_relaxed);
    const unix_ms started = now_ms();
    const std::string request_id = request_id_of(req);
    std::exception_ptr failed;
    try {
        response res = co_await dispatch(req);
        finish(req, request_id, res, started);
        co_return res;
    } catch (...) {
        failed = std::current_exception();
    }
    response res = failure_response(req, failed, request_id);
    finish(req, request_id, res, started);
    co_return res;
}

net::awaitable<response> rest_api::dispatch(const raw_request& req) {
    const std::string_view target = req.target();
    const auto q = target.find('?');
    const std::string_view path = target.substr(0, q);
    auto m = router_.find(req.method(), path);
    if (!m.found) {
        if (m.other_method) {
            auto res = error_response(req, error_code::bad_request, "method not allowed on this path");
            res.result(bhttp::status::method_not_allowed);
            co_return res;
        }
        if (path.starts_with("/api/") || path == "/api" || path == "/ws")
            throw api_error(error_code::not_found, "no such endpoint");
        if (req.method() == bhttp::verb::get || req.method() == bhttp::verb::head)
            co_return web_client_.serve(req, path);
        throw api_error(error_code::not_found, "no such endpoint");
    }
    request r{req, std::move(m.params), {}, {}};
    if (q != std::string_view::npos) r.query = parse_query(target.substr(q + 1));
    if (m.found->authenticated) {
        r.who = authenticate(req);
        chat_.seen(r.who);
    }
    co_return co_await m.found->handle(r);
}

net::awaitable<response> rest_api::upload(const raw_request& head, body_source& body) {
    metrics_.http_requests.fetch_add(1, std::memory_order_relaxed);
    const unix_ms started = now_ms();
    const std::string request_id = request_id_of(head);
    std::exception_ptr failed;
    try {
        request r{head, {files_resource::upload_target(head.method(), head.target())}, {}, {}};
        r.who = authenticate(head);
        response res = co_await files_.upload(r, body);
        finish(head, request_id, res, started);
        co_return res;
    } catch (...) {
        failed = std::current_exception();
    }
    response res = failure_response(head, failed, request_id);
    finish(head, request_id, res, started);
    co_return res;
}

net::awaitable<std::variant<response, streamed_response>> rest_api::download(const raw_request& req) {
    metrics_.http_requests.fetch_add(1, std::memory_order_relaxed);
    const unix_ms started = now_ms();
    const std::string request_id = request_id_of(req);
    std::exception_ptr failed;
    try {
        request r{req, {files_resource::download_target(req.method(), req.target())}, {}, {}};
        r.who = authenticate(req);
        chat_.seen(r.who);
        auto answer = co_await files_.download(r);
        std::visit(
            [&](auto& res) {
                if constexpr (std::is_same_v<std::decay_t<decltype(res)>, streamed_response>)
                    finish(req, request_id, res.head, started);
                else
                    finish(req, request_id, res, started);
            },
            answer);
        co_return answer;
    } catch (...) {
        failed = std::current_exception();
    }
    response res = failure_response(req, failed, request_id);
    finish(req, request_id, res, started);
    co_return res;
}

}  // namespace writeen::http

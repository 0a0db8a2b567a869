#include "net/http_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include "net/ws_session.hpp"

namespace writeen::server {
namespace {

namespace bhttp = boost::beast::http;
using tcp_stream = boost::beast::tcp_stream;

/// True when the page that opens the socket was served by this server (Origin matches Host).
bool same_origin(const http::raw_request& req, std::string_view origin) {
    auto host = req.find(bhttp::field::host);
    if (host == req.end() || host->value().empty()) return false;
    const std::string_view h = host->value();
    return origin == "http://" + std::string(h) || origin == "https://" + std::string(h);
}

/// Answers an upgrade request that may not become a WebSocket.
std::optional<http::response> refuse_upgrade(const http::raw_request& req, server_context& ctx,
                                             auth::principal& who) {
    const std::string_view target = req.target();
    if (target.substr(0, target.find('?')) != "/ws")
        return http::rest_api::error_response(req, error_code::not_found, "WebSocket upgrades are served at /ws");
    if (auto origin = req.find(bhttp::field::origin); origin != req.end() && !same_origin(req, origin->value()) &&
                                                         !ctx.origins.allows(origin->value()))
        return http::rest_api::error_response(req, error_code::forbidden, "this origin is not allowed");
    try {
        who = ctx.rest.authenticate(req);
    } catch (const api_error& e) {
        return http::rest_api::error_response(req, e.code(), e.what());
    }
    if (who.role == role::service)
        return http::rest_api::error_response(req, error_code::forbidden, "service tokens cannot open a chat socket");
    return std::nullopt;
}

}  // namespace

net::awaitable<void> run_http_session(tcp_stream stream, server_context& ctx) {
    boost::beast::flat_buffer buffer;
    for (;;) {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(16 * 1024);
        parser.body_limit(ctx.rest.options().body_limit);
        stream.expires_after(std::chrono::seconds(60));
        auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
        if (ec == bhttp::error::body_limit) {
            http::raw_request partial{parser.get().method(), parser.get().target(), parser.get().version()};
            partial.keep_alive(false);
            auto res = http::rest_api::error_response(partial, error_code::payload_too_large,
                                                      "the request body is over its limit");
            co_await bhttp::async_write(stream, res, net::as_tuple(net::use_awaitable));
            break;
        }
        if (ec) {
            if (ec && ec != bhttp::error::end_of_stream && ec != boost::beast::error::timeout &&
                ec != net::error::connection_reset && ec != net::error::eof && ec != net::error::operation_aborted) {
                http::raw_request bad{bhttp::verb::get, "/", 11};
                bad.keep_alive(false);
                auto res = http::rest_api::error_response(bad, error_code::bad_request, "malformed HTTP request");
                co_await bhttp::async_write(stream, res, net::as_tuple(net::use_awaitable));
            }
            break;
        }
        http::raw_request req = parser.release();

        if (boost::beast::websocket::is_upgrade(req)) {
            auth::principal who;
            if (auto refusal = refuse_upgrade(req, ctx, who)) {
                refusal->keep_alive(false);
                co_await bhttp::async_write(stream, *refusal, net::as_tuple(net::use_awaitable));
                break;
            }
            std::make_shared<ws_session>(std::move(stream), std::move(who), ctx)->start(std::move(req));
            co_return;
        }

        http::response res = co_await ctx.rest.handle(req);
        const bool keep_alive = res.keep_alive();
        auto [write_ec, written] = co_await bhttp::async_write(stream, res, net::as_tuple(net::use_awaitable));
        if (write_ec || !keep_alive) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace writeen::server

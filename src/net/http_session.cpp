#include "net/http_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>
#include <tuple>
#include <variant>
#include <vector>

#include "http/request_id.hpp"
#include "http/responses.hpp"
#include "net/ws_session.hpp"

namespace writeen::server {
namespace {

namespace bhttp = boost::beast::http;
using tcp_stream = boost::beast::tcp_stream;

/// Longest time to write one response (or one piece of a download) to a client that reads it.
constexpr std::chrono::seconds write_timeout{60};

/// True when the page that opens the socket was served by this server (Origin matches Host).
bool same_origin(const http::raw_request& req, std::string_view origin) {
    auto host = req.find(bhttp::field::host);
    if (host == req.end() || host->value().empty()) return false;
    const std::string_view h = host->value();
    return origin == "http://" + std::string(h) || origin == "https://" + std::string(h);
}

/// Writes res as the answer to a request of method `asked`. To HEAD: the status and headers the
/// GET would get, its Content-Length included, and never a body (RFC 9110 §9.3.2), so that the
/// next response on a kept-alive or pipelined connection starts where the client expects it.
net::awaitable<boost::system::error_code> write_answer(tcp_stream& stream, http::response& res, bhttp::verb asked) {
    stream.expires_after(write_timeout);
    if (asked != bhttp::verb::head) {
        auto [ec, n] = co_await bhttp::async_write(stream, res, net::as_tuple(net::use_awaitable));
        co_return ec;
    }
    if (!res.has_content_length() && !res.chunked() && !res.body().empty()) res.content_length(res.body().size());
    bhttp::response_serializer<bhttp::string_body> serializer{res};
    auto [ec, n] = co_await bhttp::async_write_header(stream, serializer, net::as_tuple(net::use_awaitable));
    co_return ec;
}

/// Answers an upgrade request that may not become a WebSocket.
std::optional<http::response> refuse_upgrade(const http::raw_request& req, server_context& ctx,
                                             auth::principal& who) {
    const std::string_view target = req.target();
    if (target.substr(0, target.find('?')) != "/ws")
        return http::error_response(req, error_code::not_found, "WebSocket upgrades are served at /ws");
    if (auto origin = req.find(bhttp::field::origin); origin != req.end() && !same_origin(req, origin->value()) &&
                                                         !ctx.origins.allows(origin->value()))
        return http::error_response(req, error_code::forbidden, "this origin is not allowed");
    try {
        who = ctx.rest.authenticate_upgrade(req);
    } catch (const api_error& e) {
        return http::error_response(req, e.code(), e.what());
    }
    if (who.role == role::service)
        return http::error_response(req, error_code::forbidden, "service tokens cannot open a chat socket");
    return std::nullopt;
}

/// An upload's request body, read from the connection into a fixed buffer as the handler asks.
/// Each read may wait idle_timeout for bytes: a slow client is fine, a silent one is dropped.
class parser_body_source final : public http::body_source {
public:
    parser_body_source(tcp_stream& stream, boost::beast::flat_buffer& buffer,
                       bhttp::request_parser<bhttp::buffer_body>& parser, std::chrono::seconds idle_timeout,
                       http::refused_connections& refused)
        : stream_(stream), buffer_(buffer), parser_(parser), chunk_(64 * 1024), idle_timeout_(idle_timeout),
          refused_(refused) {}

    net::awaitable<std::string_view> next() override {
        while (!parser_.is_done()) {
            parser_.get().body().data = chunk_.data();
            parser_.get().body().size = chunk_.size();
            stream_.expires_after(idle_timeout_);
            auto [ec, n] = co_await bhttp::async_read_some(stream_, buffer_, parser_, net::as_tuple(net::use_awaitable));
            // need_buffer: the chunk is full, which is what we asked for.
            if (ec == boost::beast::error::timeout) refused_.count(http::refusal::body_idle_timeout);
            if (ec && ec != bhttp::error::need_buffer)
                throw api_error(error_code::bad_request, "the request body could not be read: " + ec.message());
            const std::size_t got = chunk_.size() - parser_.get().body().size;
            if (got > 0) co_return std::string_view(chunk_.data(), got);
        }
        co_return std::string_view{};
    }

    bool done() const override { return parser_.is_done(); }

private:
    tcp_stream& stream_;
    boost::beast::flat_buffer& buffer_;
    bhttp::request_parser<bhttp::buffer_body>& parser_;
    std::vector<char> chunk_;
    std::chrono::seconds idle_timeout_;
    http::refused_connections& refused_;
};

/// After an answer to a request whose body was not read to its end: stop sending, then read
/// and drop what the client is still sending for a short while, so that closing the socket
/// with unread data does not reset the connection before the client has read the answer.
net::awaitable<void> lingering_close(tcp_stream& stream) {
    boost::system::error_code ignored;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    stream.expires_after(std::chrono::seconds(2));
    std::vector<char> sink(64 * 1024);
    std::size_t dropped = 0;
    while (dropped < 16 * 1024 * 1024) {
        auto [ec, n] = co_await stream.async_read_some(net::buffer(sink), net::as_tuple(net::use_awaitable));
        if (ec) break;
        dropped += n;
    }
}

/// Serves an upload with its body streamed to the handler; returns whether the connection can
/// carry another request.
net::awaitable<bool> serve_upload(tcp_stream& stream, boost::beast::flat_buffer& buffer,
                                  bhttp::request_parser<bhttp::empty_body>& header, server_context& ctx) {
    bhttp::request_parser<bhttp::buffer_body> parser(std::move(header));
    parser.body_limit(boost::none);  // the handler enforces the conversation's maxFileSize
    const http::raw_request head(parser.get().base());
    parser_body_source body(stream, buffer, parser, ctx.timeouts.body_idle, ctx.metrics.connections_refused);
    http::response res = co_await ctx.rest.upload(head, body);
    const bool reusable = res.keep_alive() && body.done();
    res.keep_alive(reusable);
    stream.expires_after(write_timeout);
    auto [ec, n] = co_await bhttp::async_write(stream, res, net::as_tuple(net::use_awaitable));
    if (!ec && !body.done()) co_await lingering_close(stream);
    co_return reusable && !ec;
}

/// Writes a download: the header, then (unless the request was HEAD) each piece the handler
/// produces. Returns whether the connection can carry another request.
net::awaitable<bool> write_streamed(tcp_stream& stream, http::streamed_response& out, bhttp::verb asked) {
    bhttp::response<bhttp::buffer_body> res{std::move(out.head.base())};
    res.body().data = nullptr;
    res.body().more = true;
    bhttp::response_serializer<bhttp::buffer_body> serializer{res};
    stream.expires_after(write_timeout);
    auto [ec, n] = co_await bhttp::async_write_header(stream, serializer, net::as_tuple(net::use_awaitable));
    if (ec) co_return false;
    if (asked == bhttp::verb::head) co_return res.keep_alive();
    for (;;) {
        std::string piece;
        try {
            piece = co_await out.next();
        } catch (const std::exception& e) {
            // The header is out: all that is left is to cut the connection short.
            spdlog::error("download failed mid-stream: {}", e.what());
            co_return false;
        }
        res.body().data = piece.empty() ? nullptr : piece.data();
        res.body().size = piece.size();
        res.body().more = !piece.empty();
        stream.expires_after(write_timeout);
        std::tie(ec, n) = co_await bhttp::async_write(stream, serializer, net::as_tuple(net::use_awaitable));
        if (ec == bhttp::error::need_buffer) ec = {};
        if (ec) co_return false;
        if (piece.empty()) break;
    }
    co_return res.keep_alive();
}

}  // namespace

net::awaitable<void> run_http_session(tcp_stream stream, server_context& ctx,
                                      std::optional<address_limits::lease> connection,
                                      std::optional<address_limits::lease> reading_header) {
    boost::beast::flat_buffer buffer;
    boost::system::error_code peer_ec;
    const auto peer = stream.socket().remote_endpoint(peer_ec).address();
    for (bool first = true;; first = false) {
        if (!first) {
            // Between two requests an idle kept-alive connection may wait for the next one's
            // first byte; from that byte on its headers get the header timeout and count as
            // still reading against the address, like a new connection's.
            if (buffer.size() == 0) {
                stream.expires_after(ctx.timeouts.keep_alive);
                auto [ec, n] = co_await stream.async_read_some(buffer.prepare(16 * 1024), net::as_tuple(net::use_awaitable));
                if (ec) break;
                buffer.commit(n);
            }
            if (ctx.pending_headers_per_address &&
                !(reading_header = ctx.pending_headers_per_address->try_acquire(peer))) {
                ctx.metrics.connections_refused.count(http::refusal::too_many_pending_headers);
                break;
            }
        }
        // The header first: an upload's body is streamed to its handler, every other body is
        // read whole within the JSON body limit.
        bhttp::request_parser<bhttp::empty_body> header;
        header.header_limit(16 * 1024);
        header.body_limit(boost::none);
        stream.expires_after(ctx.timeouts.header);
        auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, header, net::as_tuple(net::use_awaitable));
        reading_header.reset();
        if (ec == boost::beast::error::timeout) ctx.metrics.connections_refused.count(http::refusal::header_timeout);
        if (!ec) {
            if (auto expect = header.get().find(bhttp::field::expect);
                expect != header.get().end() && boost::beast::iequals(expect->value(), "100-continue")) {
                bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, header.get().version()};
                stream.expires_after(write_timeout);
                auto [cec, cn] = co_await bhttp::async_write(stream, go_on, net::as_tuple(net::use_awaitable));
                if (cec) break;
            }
            if (http::rest_api::is_upload(header.get().method(), header.get().target())) {
                if (!co_await serve_upload(stream, buffer, header, ctx)) break;
                continue;
            }
        }
        bhttp::request_parser<bhttp::string_body> parser(std::move(header));
        const std::size_t limit = ctx.rest.options().body_limit;
        if (!ec && parser.content_length() && *parser.content_length() > limit) ec = bhttp::error::body_limit;
        if (!ec) {
            parser.body_limit(limit);
            // Piece by piece, so that the timeout is on silence, not on the whole body.
            while (!ec && !parser.is_done()) {
                stream.expires_after(ctx.timeouts.body_idle);
                std::tie(ec, n) = co_await bhttp::async_read_some(stream, buffer, parser, net::as_tuple(net::use_awaitable));
            }
            if (ec == boost::beast::error::timeout) ctx.metrics.connections_refused.count(http::refusal::body_idle_timeout);
        }
        if (ec == bhttp::error::body_limit) {
            http::raw_request partial{parser.get().method(), parser.get().target(), parser.get().version()};
            partial.keep_alive(false);
            auto res = http::error_response(partial, error_code::payload_too_large,
                                                      "the request body is over its limit");
            stream.expires_after(write_timeout);
            res.set("X-Request-Id", http::request_id_of(parser.get()));
            auto [wec, wn] = co_await bhttp::async_write(stream, res, net::as_tuple(net::use_awaitable));
            // Drain what the client is still sending, so it reads the 413 instead of a reset.
            if (!wec) co_await lingering_close(stream);
            break;
        }
        if (ec) {
            if (ec && ec != bhttp::error::end_of_stream && ec != boost::beast::error::timeout &&
                ec != net::error::connection_reset && ec != net::error::eof && ec != net::error::operation_aborted) {
                http::raw_request bad{bhttp::verb::get, "/", 11};
                bad.keep_alive(false);
                auto res = http::error_response(bad, error_code::bad_request, "malformed HTTP request");
                stream.expires_after(write_timeout);
                res.set("X-Request-Id", http::request_id_of(bad));
                co_await bhttp::async_write(stream, res, net::as_tuple(net::use_awaitable));
            }
            break;
        }
        http::raw_request req = parser.release();

        if (boost::beast::websocket::is_upgrade(req)) {
            auth::principal who;
            auto refusal = refuse_upgrade(req, ctx, who);
            if (!refusal) refusal = ws_session::refuse_handshake(req);
            if (refusal) {
                refusal->keep_alive(false);
                stream.expires_after(write_timeout);
                refusal->set("X-Request-Id", http::request_id_of(req));
                co_await bhttp::async_write(stream, *refusal, net::as_tuple(net::use_awaitable));
                break;
            }
            auto session = std::make_shared<ws_session>(stream.release_socket(), std::move(who), ctx);
            session->hold(std::move(connection));
            session->start(req);
            co_return;
        }

        if (http::rest_api::is_download(req.method(), req.target())) {
            auto answer = co_await ctx.rest.download(req);
            if (auto* streamed = std::get_if<http::streamed_response>(&answer)) {
                if (!co_await write_streamed(stream, *streamed, req.method())) break;
                continue;
            }
            auto& res = std::get<http::response>(answer);
            const bool keep_alive = res.keep_alive();
            if (co_await write_answer(stream, res, req.method()) || !keep_alive) break;
            continue;
        }

        http::response res = co_await ctx.rest.handle(req);
        const bool keep_alive = res.keep_alive();
        if (co_await write_answer(stream, res, req.method()) || !keep_alive) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace writeen::server

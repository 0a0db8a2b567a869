#pragma once
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "net/server_context.hpp"

namespace writeen::server {

/// Serves HTTP requests on one connection (keep-alive) until it closes or upgrades to a
/// WebSocket at /ws, which then lives on as a ws_session.
boost::asio::awaitable<void> run_http_session(boost::beast::tcp_stream stream, server_context& ctx);

}  // namespace writeen::server

#pragma once
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <optional>

#include "net/server_context.hpp"

namespace writeen::server {

/// Serves HTTP requests on one connection (keep-alive) until it closes or upgrades to a
/// WebSocket at /ws, which then lives on as a ws_session. connection counts the connection
/// against its address for as long as it is open (a ws_session takes it over); first_header
/// counts it as still reading its first request's headers until they are in.
boost::asio::awaitable<void> run_http_session(boost::beast::tcp_stream stream, server_context& ctx,
                                              std::optional<address_limits::lease> connection,
                                              std::optional<address_limits::lease> first_header);

}  // namespace writeen::server

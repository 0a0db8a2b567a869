#pragma once
#include <chrono>
#include <cstddef>

#include "auth/origin_policy.hpp"
#include "http/metrics.hpp"
#include "http/rest_api.hpp"
#include "http/ws_api.hpp"
#include "net/address_limits.hpp"
#include "net/deadline_wheel.hpp"

namespace writeen::server {

/// Limits of one WebSocket, from API.md.
struct ws_limits {
    std::size_t max_frame_bytes = 64 * 1024;
    std::size_t max_queued_frames = 4096;           // then the socket is a slow consumer
    std::size_t max_queued_bytes = 8 * 1024 * 1024;
    std::chrono::seconds idle_timeout{60};          // the session pings at half of it
};

/// How long a client may take before the server gives up on its connection (slowloris).
struct http_timeouts {
    std::chrono::seconds header{10};       ///< from accept (or a kept-alive request's first byte) to the end of its headers
    std::chrono::seconds body_idle{30};    ///< a request body that sends nothing for this long is dropped
    std::chrono::seconds keep_alive{60};   ///< an idle kept-alive connection between two requests
};

/// What every connection needs; outlives every connection.
struct server_context {
    http::rest_api& rest;
    http::ws_api& ws;
    const auth::origin_policy& origins;
    http::metrics& metrics;
    /// The keep-alive, close-handshake and token-expiry deadlines of every WebSocket.
    deadline_wheel& deadlines;
    ws_limits limits;
    int token_leeway_seconds = 60;
    http_timeouts timeouts;
    /// Open connections per client address (not owned); null: no limit.
    address_limits* connections_per_address = nullptr;
    /// Connections per client address still reading their headers or upgrade request (not
    /// owned); null: no limit.
    address_limits* pending_headers_per_address = nullptr;
};

}  // namespace writeen::server

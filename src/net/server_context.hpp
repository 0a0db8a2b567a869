#pragma once
#include <chrono>
#include <cstddef>

#include "auth/origin_policy.hpp"
#include "http/metrics.hpp"
#include "http/rest_api.hpp"
#include "http/ws_api.hpp"

namespace writeen::server {

/// Limits of one WebSocket, from API.md.
struct ws_limits {
    std::size_t max_frame_bytes = 64 * 1024;
    std::size_t max_queued_frames = 4096;           // then the socket is a slow consumer
    std::size_t max_queued_bytes = 8 * 1024 * 1024;
    std::chrono::seconds idle_timeout{60};          // the session pings at half of it
};

/// What every connection needs; outlives every connection.
struct server_context {
    http::rest_api& rest;
    http::ws_api& ws;
    const auth::origin_policy& origins;
    http::metrics& metrics;
    ws_limits limits;
    int token_leeway_seconds = 60;
};

}  // namespace writeen::server

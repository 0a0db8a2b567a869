#pragma once
// Counters and histograms exported at /metrics in the Prometheus text format.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "notify/notify_metrics.hpp"

namespace writeen::http {

/// A fixed-bucket latency histogram; observe is lock-free and callable from any thread.
class latency_histogram {
public:
    static constexpr std::array<double, 12> bounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
    void observe(double seconds);
    /// Appends the Prometheus lines of this histogram named `name`.
    void render(std::string& out, const std::string& name, const std::string& help) const;

private:
    std::array<std::atomic<std::uint64_t>, bounds.size() + 1> buckets_{};
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_micros_{0};
};

/// Why the server closed a connection without serving it (slowloris and resource limits).
enum class refusal : std::size_t {
    too_many_connections,      ///< over --max-connections-per-address
    too_many_pending_headers,  ///< over --max-pending-headers-per-address
    header_timeout,            ///< headers not complete within --header-timeout-s
    body_idle_timeout,         ///< a request body silent for --body-idle-timeout-s
    file_descriptors,          ///< accept failed with EMFILE/ENFILE: the connection was shed
};
/// The `reason` label of writeen_connections_refused_total, in the order of `refusal`.
inline constexpr std::array<const char*, 5> refusal_reasons{
    "too_many_connections", "too_many_pending_headers", "header_timeout", "body_idle_timeout", "file_descriptors"};

/// Refused connections by reason; count is lock-free and callable from any thread.
class refused_connections {
public:
    void count(refusal why) { counts_[static_cast<std::size_t>(why)].fetch_add(1, std::memory_order_relaxed); }
    std::uint64_t of(refusal why) const { return counts_[static_cast<std::size_t>(why)].load(std::memory_order_relaxed); }

private:
    std::array<std::atomic<std::uint64_t>, refusal_reasons.size()> counts_{};
};

struct metrics {
    std::atomic<std::uint64_t> http_requests{0};
    std::atomic<std::uint64_t> http_errors{0};
    std::atomic<std::uint64_t> ws_connections_total{0};
    std::atomic<std::uint64_t> messages_in{0};         // messages stored (REST and WebSocket)
    std::atomic<std::uint64_t> frames_out{0};          // WebSocket frames written
    std::atomic<std::uint64_t> slow_consumer_closes{0};
    std::atomic<std::uint64_t> rate_limited{0};
    refused_connections connections_refused;
    latency_histogram ack_latency;  // frame received → message_sent queued (includes the commit)
    notify::notify_metrics notify;  // written by the notifier
};

}  // namespace writeen::http

#pragma once
// Counters of the notifier, exported at /metrics (http/health_resource). Written by the
// notifier's thread, read by any.

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace writeen::notify {

/// The channels, in the order of the per-channel counters.
enum class channel { webhook = 0, webpush = 1 };
constexpr std::array<std::string_view, 2> channel_names{"webhook", "webpush"};

struct notify_metrics {
    std::atomic<std::uint64_t> queued{0};  // notifications created
    std::array<std::atomic<std::uint64_t>, 2> sent{};
    std::array<std::atomic<std::uint64_t>, 2> retried{};
    std::array<std::atomic<std::uint64_t>, 2> dropped{};
    /// Age of the oldest work not done: a due message not yet planned or a pending send.
    std::atomic<double> outbox_age_seconds{0};
};

}  // namespace writeen::notify

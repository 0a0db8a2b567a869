#pragma once
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "bus/bus.hpp"
#include "model/types.hpp"

namespace writeen::hub {

/// Token bucket per user: `rate` messages per second, bursts up to twice that. Shared by
/// REST and WebSocket so a user's messages are counted together. Thread-safe.
class rate_limiter {
public:
    /// With a bus, messages are also counted across nodes (bus::count_message), asynchronously:
    /// the decision here never waits for Redis. A user found over the cluster-wide budget
    /// (twice the rate in a one-second window) is refused here until that window ends, so a
    /// user spread over N nodes gets at most one round trip's worth of messages over the limit.
    explicit rate_limiter(double rate_per_second, bus::bus* cluster = nullptr)
        : rate_(rate_per_second), burst_(2 * rate_per_second), cluster_(cluster) {}

    /// Takes one token at time now; nullopt when allowed, else the seconds to wait.
    std::optional<int> take(const std::string& user_id, unix_ms now);

private:
    struct bucket {
        double tokens;
        unix_ms updated;
    };
    double rate_;
    double burst_;
    std::mutex mutex_;
    std::unordered_map<std::string, bucket> buckets_;  // guarded by mutex_
    bus::bus* cluster_;
    std::unordered_map<std::string, unix_ms> blocked_until_;  // guarded by mutex_; set by the cluster count
};

}  // namespace writeen::hub

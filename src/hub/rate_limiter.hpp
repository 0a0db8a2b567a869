#pragma once
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "model/types.hpp"

namespace writeen::hub {

/// Token bucket per user: `rate` messages per second, bursts up to twice that. Shared by
/// REST and WebSocket so a user's messages are counted together. Thread-safe.
class rate_limiter {
public:
    explicit rate_limiter(double rate_per_second) : rate_(rate_per_second), burst_(2 * rate_per_second) {}

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
};

}  // namespace writeen::hub

#include "hub/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace writeen::hub {

std::optional<int> rate_limiter::take(const std::string& user_id, unix_ms now) {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = buckets_.try_emplace(user_id, bucket{burst_, now});
    bucket& b = it->second;
    b.tokens = std::min(burst_, b.tokens + rate_ * static_cast<double>(now - b.updated) / 1000.0);
    b.updated = now;
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return std::nullopt;
    }
    return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate_)));
}

}  // namespace writeen::hub

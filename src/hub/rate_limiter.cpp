#include "hub/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace writeen::hub {

std::optional<int> rate_limiter::take(const std::string& user_id, unix_ms now) {
    std::unique_lock lock(mutex_);
    if (auto blocked = blocked_until_.find(user_id); blocked != blocked_until_.end()) {
        if (blocked->second > now) return std::max(1, static_cast<int>((blocked->second - now + 999) / 1000));
        blocked_until_.erase(blocked);
    }
    auto [it, inserted] = buckets_.try_emplace(user_id, bucket{burst_, now});
    bucket& b = it->second;
    b.tokens = std::min(burst_, b.tokens + rate_ * static_cast<double>(now - b.updated) / 1000.0);
    b.updated = now;
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        lock.unlock();
        if (cluster_)
            cluster_->count_message(user_id, static_cast<int>(burst_), [this, user_id, now](std::int64_t wait_ms) {
                std::lock_guard relock(mutex_);
                auto& until = blocked_until_[user_id];
                until = std::max(until, now + wait_ms);
            });
        return std::nullopt;
    }
    return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate_)));
}

}  // namespace writeen::hub

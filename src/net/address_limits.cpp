#include "net/address_limits.hpp"

#include <utility>

namespace writeen::server {

address_limits::lease::lease(lease&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), address_(other.address_) {}

address_limits::lease& address_limits::lease::operator=(lease&& other) noexcept {
    if (this != &other) {
        release();
        owner_ = std::exchange(other.owner_, nullptr);
        address_ = other.address_;
    }
    return *this;
}

address_limits::lease::~lease() { release(); }

void address_limits::lease::release() noexcept {
    if (owner_) std::exchange(owner_, nullptr)->give_back(address_);
}

std::optional<address_limits::lease> address_limits::try_acquire(const boost::asio::ip::address& address) {
    std::lock_guard lock(mutex_);
    std::size_t& n = held_[address];
    if (limit_ != 0 && n >= limit_) return std::nullopt;
    ++n;
    return lease(this, address);
}

std::size_t address_limits::held(const boost::asio::ip::address& address) const {
    std::lock_guard lock(mutex_);
    auto it = held_.find(address);
    return it == held_.end() ? 0 : it->second;
}

void address_limits::give_back(const boost::asio::ip::address& address) noexcept {
    std::lock_guard lock(mutex_);
    auto it = held_.find(address);
    if (it == held_.end()) return;
    if (--it->second == 0) held_.erase(it);
}

}  // namespace writeen::server

#include "net/deadline_wheel.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace writeen::server {

deadline_wheel::deadline_wheel(std::chrono::milliseconds resolution, std::size_t slots)
    : resolution_(resolution), epoch_(clock::now()), mask_(slots - 1), slots_(slots, nullptr) {
    if (resolution.count() <= 0 || slots == 0 || (slots & (slots - 1)) != 0)
        throw std::invalid_argument("deadline_wheel: a positive resolution and a power-of-two number of slots");
}

deadline_wheel::~deadline_wheel() = default;

void deadline_wheel::start(boost::asio::any_io_executor executor) {
    std::lock_guard lock(mutex_);
    timer_.emplace(std::move(executor));
    armed_ = false;
    stopped_ = false;
    arm_locked();
}

void deadline_wheel::stop() {
    std::lock_guard lock(mutex_);
    // A wait still pending completes with operation_aborted and touches nothing.
    timer_.reset();
    armed_ = false;
    stopped_ = true;
    // Owners destroyed from now on (with the event loop, in any order) find themselves out of
    // the wheel and touch no neighbour that may be gone already.
    for (entry*& head : slots_) {
        while (entry* e = head) {
            head = e->next_;
            e->prev_ = e->next_ = nullptr;
            e->due_tick_ = 0;
        }
    }
    size_ = 0;
}

std::uint64_t deadline_wheel::tick_of(clock::time_point t) const {
    if (t <= epoch_) return 0;
    return static_cast<std::uint64_t>((t - epoch_ + resolution_ - clock::duration(1)) / resolution_);
}

void deadline_wheel::schedule(entry& e, clock::time_point at) {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    if (e.due_tick_ != 0) unlink_locked(e);
    link_locked(e, std::max(tick_of(at), done_tick_ + 1));
    arm_locked();
}

void deadline_wheel::cancel(entry& e) {
    std::lock_guard lock(mutex_);
    if (e.due_tick_ != 0) unlink_locked(e);
}

std::size_t deadline_wheel::size() const {
    std::lock_guard lock(mutex_);
    return size_;
}

void deadline_wheel::link_locked(entry& e, std::uint64_t due) {
    entry*& head = slots_[due & mask_];
    e.due_tick_ = due;
    e.prev_ = nullptr;
    e.next_ = head;
    if (head) head->prev_ = &e;
    head = &e;
    ++size_;
}

void deadline_wheel::unlink_locked(entry& e) {
    if (e.prev_) e.prev_->next_ = e.next_;
    else slots_[e.due_tick_ & mask_] = e.next_;
    if (e.next_) e.next_->prev_ = e.prev_;
    e.prev_ = e.next_ = nullptr;
    e.due_tick_ = 0;
    --size_;
}

void deadline_wheel::advance(clock::time_point now) {
    std::vector<std::pair<entry*, std::shared_ptr<void>>> fired;
    {
        std::lock_guard lock(mutex_);
        // The tick that has fully begun by now.
        const auto now_tick = now <= epoch_ ? 0 : static_cast<std::uint64_t>((now - epoch_) / resolution_);
        // Every deadline due by now lies in a slot of the ticks since the last walk; after a
        // whole lap every slot has been seen. Entries of later laps stay where they are.
        const std::uint64_t walk = std::min<std::uint64_t>(now_tick > done_tick_ ? now_tick - done_tick_ : 0,
                                                           slots_.size());
        for (std::uint64_t i = 1; i <= walk; ++i) {
            for (entry* e = slots_[(done_tick_ + i) & mask_]; e;) {
                entry* next = e->next_;
                if (e->due_tick_ <= now_tick) {
                    unlink_locked(*e);
                    if (auto held = e->hold()) fired.emplace_back(e, std::move(held));
                }
                e = next;
            }
        }
        done_tick_ = std::max(done_tick_, now_tick);
    }
    for (auto& [e, held] : fired) e->expired();
}

void deadline_wheel::arm_locked() {
    // Ticks only while some deadline waits: an idle server does not wake up for nothing.
    if (!timer_ || armed_ || size_ == 0) return;
    armed_ = true;
    timer_->expires_at(epoch_ + static_cast<std::int64_t>(done_tick_ + 1) * resolution_);
    timer_->async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;  // stopped
        {
            std::lock_guard lock(mutex_);
            armed_ = false;
        }
        advance(clock::now());
        std::lock_guard lock(mutex_);
        arm_locked();
    });
}

}  // namespace writeen::server

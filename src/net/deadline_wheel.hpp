#pragma once
// The deadlines of every WebSocket on one timer: a hashed wheel of fixed ticks.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace writeen::server {

/// One Asio timer for many deadlines. An idle WebSocket would otherwise hold two timers and
/// their pending waits (about 0.5 KiB); here it holds an entry of three words, linked into the
/// slot of its tick, and the wheel's timer walks one slot per tick. Deadlines are rounded up to
/// the next tick (`resolution`): fine for keep-alive pings, close handshakes and token expiry.
/// Thread-safe.
class deadline_wheel {
public:
    using clock = std::chrono::steady_clock;

    /// Something with a deadline, embedded in its owner: no allocation per deadline.
    class entry {
    public:
        entry() = default;
        entry(const entry&) = delete;
        entry& operator=(const entry&) = delete;

    protected:
        virtual ~entry() = default;

    private:
        friend class deadline_wheel;
        /// Called under the wheel's lock when the deadline passed: a reference that keeps the
        /// owner alive until expired() has returned, or null when the owner is being destroyed.
        virtual std::shared_ptr<void> hold() = 0;
        /// Called on a thread of the wheel's executor, without the wheel's lock, after the
        /// deadline passed. It may come late or just after the owner moved its deadline:
        /// the owner checks its own times.
        virtual void expired() = 0;

        // Guarded by the wheel's mutex.
        entry* prev_ = nullptr;
        entry* next_ = nullptr;
        std::uint64_t due_tick_ = 0;  // 0: not in the wheel (ticks count from 1)
    };

    /// A wheel of `slots` slots (a power of two) of `resolution` each.
    explicit deadline_wheel(std::chrono::milliseconds resolution = std::chrono::milliseconds(100),
                            std::size_t slots = 1024);
    deadline_wheel(const deadline_wheel&) = delete;
    deadline_wheel& operator=(const deadline_wheel&) = delete;
    ~deadline_wheel();

    /// Ticks on `executor` from now on (its timer exists only between start and stop).
    void start(boost::asio::any_io_executor executor);
    /// Stops ticking and forgets every deadline. Call before the executor's context goes.
    void stop();

    /// Sets or moves e's deadline to `at` (a time in the past: the next tick); nothing after stop().
    void schedule(entry& e, clock::time_point at);
    /// Removes e's deadline if it has one. Owners call it before they are destroyed.
    void cancel(entry& e);
    /// Deadlines waiting.
    std::size_t size() const;

    /// Fires every deadline due at `now`; the timer calls it, tests call it directly.
    void advance(clock::time_point now);

private:
    std::uint64_t tick_of(clock::time_point t) const;  // rounded up
    void link_locked(entry& e, std::uint64_t due);
    void unlink_locked(entry& e);
    void arm_locked();

    const clock::duration resolution_;
    const clock::time_point epoch_;
    const std::uint64_t mask_;

    mutable std::mutex mutex_;
    std::vector<entry*> slots_;     // guarded by mutex_: heads of the slots' lists
    std::uint64_t done_tick_ = 0;   // guarded by mutex_: every deadline up to this tick fired
    std::size_t size_ = 0;          // guarded by mutex_
    std::optional<boost::asio::steady_timer> timer_;  // guarded by mutex_
    bool armed_ = false;            // guarded by mutex_: a wait of timer_ is pending
    bool stopped_ = false;          // guarded by mutex_: schedule() does nothing any more
};

}  // namespace writeen::server

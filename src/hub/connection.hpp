#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace writeen::hub {

/// A connected WebSocket as the hub sees it. Implemented by net::ws_session.
class connection {
public:
    virtual ~connection() = default;
    /// Unique within this process, never 0.
    virtual std::uint64_t id() const = 0;
    virtual const std::string& user_id() const = 0;
    /// Sends a text frame (at once if nothing is queued before it, else after what is);
    /// thread-safe and non-blocking. A connection whose queue is full closes itself (slow
    /// consumer) instead of growing.
    virtual void deliver(std::shared_ptr<const std::string> frame) = 0;
    /// Sends a close frame with code and reason after what is queued; thread-safe.
    virtual void close(std::uint16_t code, std::string reason) = 0;

    /// When the client last showed it is there: the socket opened, or it sent a message
    /// (control frames such as pongs do not count; Unix ms; 0: never). The notifier does not notify a user looking at a socket.
    std::int64_t last_activity() const { return last_activity_.load(std::memory_order_relaxed); }
    /// Records activity at `at_ms`; called by the socket's reader, read on any thread.
    void touch(std::int64_t at_ms) { last_activity_.store(at_ms, std::memory_order_relaxed); }

private:
    std::atomic<std::int64_t> last_activity_{0};
};

using connection_ptr = std::shared_ptr<connection>;

}  // namespace writeen::hub

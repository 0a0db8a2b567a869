#pragma once
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
};

using connection_ptr = std::shared_ptr<connection>;

}  // namespace writeen::hub

#pragma once
// The bus carries deliveries between nodes. The hub publishes every delivery on it and
// receives every delivery from it, so adding nodes (Redis, later) changes nothing above.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace writeen::bus {

/// One frame for a set of recipients.
struct delivery {
    enum class audience {
        users,   // every socket of each user in user_ids
        joined,  // sockets that joined conversation_id
    };
    audience to = audience::users;
    std::vector<std::string> user_ids;
    std::string conversation_id;
    std::string except_user;                // joined: skip this user's sockets
    std::uint64_t except_connection = 0;    // skip this socket (0: none); meaningful on the origin node
    std::shared_ptr<const std::string> frame;
};

using delivery_handler = std::function<void(const delivery&)>;

class bus {
public:
    virtual ~bus() = default;
    /// Sends a delivery to every node's handler, this node's included.
    virtual void publish(const delivery& d) = 0;
    /// Sets the handler of this node. Called once at start-up, before any publish.
    virtual void on_delivery(delivery_handler handler) = 0;
    /// True when the bus can carry deliveries (for /readyz).
    virtual bool healthy() const = 0;
    virtual std::string_view name() const = 0;
};

/// The single-process bus: publish calls the handler at once, on the publishing thread.
class local_bus final : public bus {
public:
    void publish(const delivery& d) override;
    void on_delivery(delivery_handler handler) override;
    bool healthy() const override { return true; }
    std::string_view name() const override { return "local"; }

private:
    delivery_handler handler_;  // set once before traffic; read on any thread afterwards
};

}  // namespace writeen::bus

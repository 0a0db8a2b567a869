#pragma once
// The WebSocket events of API.md: parses each frame, calls the chat service, answers.
// Transport-free: net::ws_session owns the socket and hands frames here.

#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string_view>

#include "auth/principal.hpp"
#include "chat/service.hpp"
#include "http/metrics.hpp"
#include "hub/connection.hpp"
#include "proto/error.hpp"

namespace writeen::http {

/// A socket as the WebSocket API needs it: a hub connection that knows its caller.
class ws_client : public hub::connection {
public:
    virtual const auth::principal& who() const = 0;
};

class ws_api {
public:
    ws_api(chat::service& chat, metrics& m) : chat_(chat), metrics_(m) {}

    /// A socket opened; `registered` runs (on any thread) once deliveries from every node reach
    /// it (hub::hub::attach): the session reads the client's frames only from then on.
    void opened(const std::shared_ptr<ws_client>& client, bus::registered_handler registered);
    /// One text frame from the client. Never throws: errors become `error` events.
    void frame(const std::shared_ptr<ws_client>& client, std::string_view text);
    void closed(ws_client& client);
    /// A binary message: not part of the protocol, answered with an `error` event.
    void binary_frame(ws_client& client);
    /// Sends the `error` event for an expired token (the caller then closes with 4001).
    void token_expired(ws_client& client);

private:
    void dispatch(const std::shared_ptr<ws_client>& client, std::string_view event, const boost::json::object& data,
                  const std::optional<boost::json::value>& request_id);
    void send_message(const std::shared_ptr<ws_client>& client, const boost::json::object& data,
                      const std::optional<boost::json::value>& request_id);
    void mark(const std::shared_ptr<ws_client>& client, const boost::json::object& data,
              const std::optional<boost::json::value>& request_id, bool read);
    void send_error(ws_client& client, error_code code, std::string_view message,
                    const std::optional<boost::json::value>& request_id);
    /// Sends the error event for the exception e (from a completion).
    void send_failure(ws_client& client, std::exception_ptr e, const std::optional<boost::json::value>& request_id);

    chat::service& chat_;
    metrics& metrics_;
};

}  // namespace writeen::http

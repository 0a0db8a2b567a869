#pragma once
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>
#include <memory>
#include <string>

#include "http/router.hpp"
#include "http/ws_api.hpp"
#include "net/server_context.hpp"

namespace writeen::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

/// One WebSocket connection. Everything it owns is touched only on its strand (the stream's
/// executor); other threads reach it through deliver() and close(), which post there.
class ws_session final : public http::ws_client, public std::enable_shared_from_this<ws_session> {
public:
    ws_session(beast::tcp_stream&& stream, auth::principal who, server_context& ctx);
    ~ws_session() override;

    /// Answers the upgrade request and runs the session until the socket closes.
    void start(http::raw_request upgrade);

    std::uint64_t id() const override { return id_; }
    const std::string& user_id() const override { return who_.user_id; }
    const auth::principal& who() const override { return who_; }
    void deliver(std::shared_ptr<const std::string> frame) override;
    void close(std::uint16_t code, std::string reason) override;

private:
    void read_next();
    void on_read(const boost::system::error_code& ec, std::size_t bytes);
    void enqueue(std::shared_ptr<const std::string> frame);
    void write_next();
    void begin_close(std::uint16_t code, std::string reason);
    void arm_token_timer();

    websocket::stream<beast::tcp_stream> ws_;
    auth::principal who_;
    server_context& ctx_;
    const std::uint64_t id_;
    beast::flat_buffer buffer_;
    net::steady_timer token_timer_;
    // Strand-only state.
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::size_t queued_bytes_ = 0;
    bool writing_ = false;
    bool open_ = false;       // the handshake completed and the socket is registered
    bool closing_ = false;    // a close was asked for; nothing more is queued
    std::uint16_t close_code_ = 1000;
    std::string close_reason_;
};

}  // namespace writeen::server

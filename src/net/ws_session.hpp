#pragma once
#include <boost/asio/ip/tcp.hpp>
#include <array>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "http/router.hpp"
#include "http/ws_api.hpp"
#include "net/deadline_wheel.hpp"
#include "net/server_context.hpp"
#include "net/ws_frame.hpp"

namespace writeen::server {

namespace net = boost::asio;

/// One WebSocket connection, speaking RFC 6455 itself on the raw socket.
///
/// Reading runs on the socket's strand: a wait for readiness, queued again before each read so
/// that no readiness is missed, then recv into a buffer of the thread until the socket is empty;
/// every complete frame is handled as it arrives, and only a frame split across reads is kept.
/// An idle socket holds no read buffer and no timer: its deadlines (keep-alive, close
/// handshake, token expiry) are one entry in the server's deadline_wheel.
/// Writing can happen on any thread, under write_mutex_: a frame goes out with one sendmsg right
/// away when nothing is queued before it (no hand-off to another thread, no asynchronous
/// operation: most frames of a chat cost exactly one system call). What the socket does not take
/// waits in a queue that an asynchronous write on the strand drains, several frames per call.
/// Control frames (pong, close) take the same path, so frames never interleave.
class ws_session final : public http::ws_client,
                         public std::enable_shared_from_this<ws_session>,
                         private deadline_wheel::entry {
public:
    ws_session(net::ip::tcp::socket socket, auth::principal who, server_context& ctx);
    ~ws_session() override;

    /// Answers the upgrade request (101) and runs the session until the socket closes.
    void start(const http::raw_request& upgrade);
    /// Keeps the connection counted against its client address while this session lives.
    void hold(std::optional<address_limits::lease> connection) { connection_ = std::move(connection); }

    std::uint64_t id() const override { return id_; }
    const std::string& user_id() const override { return who_.user_id; }
    const auth::principal& who() const override { return who_; }
    void deliver(std::shared_ptr<const std::string> frame) override;
    void close(std::uint16_t code, std::string reason) override;

    /// Why an upgrade request cannot become a WebSocket (bad version or key), or nothing.
    static std::optional<http::response> refuse_handshake(const http::raw_request& upgrade);

private:
    using clock = std::chrono::steady_clock;
    // What reads left unfinished; allocated only while there is some (most frames arrive whole).
    struct unfinished {
        std::string frame;            // bytes of a frame not complete yet
        std::string message;          // a fragmented message being assembled
    };
    struct outgoing {
        std::shared_ptr<const std::string> payload;
        std::array<std::uint8_t, ws::max_header_size> header;
        std::uint8_t header_size = 0;
        bool is_close = false;
        bool is_handshake = false;  // the 101 response: raw bytes, no frame header
    };

    // Read side: the strand only.
    /// The first wait and read, once the bus registered the socket.
    void start_reading();
    void wait_readable();
    void on_readable(const boost::system::error_code& ec);
    /// Reads and handles what the socket holds, until it is empty.
    void read_available();
    /// Handles every complete frame of the bytes; false once the session stops reading frames.
    bool consume(char* data, std::size_t size);
    bool handle_frame(const ws::frame_header& h, char* payload);
    unfinished& keep_unfinished();
    void handle_message(ws::opcode op, std::string_view payload);
    /// A protocol violation by the client: close with code, read nothing more of it.
    bool fail(std::uint16_t code, std::string_view reason);
    /// The next keep-alive or close-handshake check comes `after` from now.
    void check_after(clock::duration after);
    /// Puts the earliest of the session's deadlines in the wheel.
    void schedule_deadline();
    void on_deadline();
    void on_check(clock::time_point now);
    // deadline_wheel::entry
    std::shared_ptr<void> hold() override { return weak_from_this().lock(); }
    void expired() override;
    /// The connection is over: releases the socket and tells the chat once.
    void end();

    // Write side: any thread.
    void send(ws::opcode op, std::shared_ptr<const std::string> payload);
    /// Sends the frame at once if nothing waits before it, else queues it. Requires write_mutex_.
    void write_locked(ws::opcode op, std::shared_ptr<const std::string> payload);
    /// Queues the close frame (after what is queued); false if one was queued before.
    bool close_locked(std::uint16_t code, std::string_view reason);
    /// Called once the whole frame is on the wire. Requires write_mutex_.
    void sent_locked(const outgoing& frame);
    /// Hands the queue to an asynchronous write on the strand (the socket was full).
    void write_queue_async();

    net::ip::tcp::socket socket_;
    auth::principal who_;
    server_context& ctx_;
    const std::uint64_t id_;
    std::optional<address_limits::lease> connection_;  // set once before start()

    // Strand-only state.
    clock::time_point check_at_{};    // the next keep-alive or close-handshake check
    clock::time_point token_at_{};    // the token expires (max once handled)
    std::unique_ptr<unfinished> unfinished_;
    ws::opcode message_op_ = ws::opcode::text;
    bool in_message_ = false;
    bool reading_frames_ = true;      // false after a close frame or a protocol violation
    bool registered_ = false;         // the chat was told the socket opened
    bool ended_ = false;
    bool closing_timer_ = false;      // check_at_ is now the end of the close handshake
    clock::time_point last_received_{};

    std::mutex write_mutex_;
    // Guarded by write_mutex_. The queue exists only while the socket is full (a slow reader):
    // an idle socket holds none.
    std::unique_ptr<std::deque<outgoing>> queue_;
    std::size_t front_sent_ = 0;      // bytes of queue_->front() already sent
    std::size_t in_flight_frames_ = 0;  // frames at the queue's front that the pending write sends
    std::size_t queued_bytes_ = 0;
    bool socket_open_ = true;         // the descriptor may be used
    bool accepting_ = false;          // data frames are accepted (open, and no close queued)
    bool close_queued_ = false;
};

}  // namespace writeen::server

#include "net/ws_session.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/field.hpp>
#include <cerrno>
#include <spdlog/spdlog.h>
#include <vector>

#include "auth/utf8.hpp"
#include "http/responses.hpp"
#include "http/rest_api.hpp"
#include "model/clock.hpp"

namespace writeen::server {
namespace {

namespace bhttp = boost::beast::http;

std::atomic<std::uint64_t> next_session_id{1};

// What one recv asks for. A read that gets less has emptied the socket, so no further recv is
// needed to find that out.
constexpr std::size_t read_chunk = 64 * 1024;
// How long a closing socket waits for the client's close frame or end of stream.
constexpr auto close_timeout = std::chrono::seconds(5);
// Frames gathered into one asynchronous write when the socket was full.
constexpr std::size_t max_frames_per_write = 64;

/// One read buffer per thread: frames are handled before the next read, so sockets need no
/// buffer of their own unless a frame arrives in pieces.
char* read_buffer() {
    thread_local const std::unique_ptr<char[]> buffer(new char[read_chunk]);
    return buffer.get();
}

const std::shared_ptr<const std::string>& empty_payload() {
    static const auto empty = std::make_shared<const std::string>();
    return empty;
}

}  // namespace

ws_session::ws_session(net::ip::tcp::socket socket, auth::principal who, server_context& ctx)
    : socket_(std::move(socket)),
      who_(std::move(who)),
      ctx_(ctx),
      id_(next_session_id.fetch_add(1)) {}

// Normally out of the wheel since end(); not when the event loop stops with the socket open.
ws_session::~ws_session() { ctx_.deadlines.cancel(*this); }

std::optional<http::response> ws_session::refuse_handshake(const http::raw_request& req) {
    if (req[bhttp::field::sec_websocket_version] != "13") {
        auto res = http::error_response(req, error_code::bad_request, "only WebSocket version 13 is served");
        res.result(bhttp::status::upgrade_required);
        res.set(bhttp::field::sec_websocket_version, "13");
        return res;
    }
    if (!ws::valid_client_key(req[bhttp::field::sec_websocket_key]))
        return http::error_response(req, error_code::bad_request, "Sec-WebSocket-Key is missing or malformed");
    return std::nullopt;
}

void ws_session::start(const http::raw_request& upgrade) {
    auto response = std::make_shared<const std::string>(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
        ws::accept_key(upgrade[bhttp::field::sec_websocket_key]) + "\r\nServer: writeen-chat\r\n\r\n");
    {
        // The 101 heads the write queue and the socket is registered before it is sent: once the
        // client sees the upgrade, the socket already counts (presence, deliveries), so closing
        // the user's other socket right away cannot announce them offline. Frames sent meanwhile
        // queue behind the 101.
        std::lock_guard lock(write_mutex_);
        outgoing handshake;
        handshake.payload = std::move(response);
        handshake.is_handshake = true;
        queued_bytes_ = handshake.payload->size();
        queue_ = std::make_unique<std::deque<outgoing>>();
        queue_->push_back(std::move(handshake));
        accepting_ = true;
    }
    net::post(socket_.get_executor(), [self = shared_from_this()] { self->write_queue_async(); });
    registered_ = true;
    last_received_ = clock::now();
    touch(now_ms());
    // The client's frames are read once the bus has registered the socket: a sync sent right
    // after opening then runs after every node routes the user's deliveries here, so what it
    // does not return arrives live (with the local bus, or Redis down, that is at once).
    ctx_.ws.opened(shared_from_this(), [self = shared_from_this()] {
        net::post(self->socket_.get_executor(), [self] { self->start_reading(); });
    });
    token_at_ = clock::now() + std::chrono::milliseconds(std::max<std::int64_t>(who_.expires_at_ms - now_ms(), 0));
    check_after(ctx_.limits.idle_timeout / 2);
}

void ws_session::start_reading() {
    if (ended_) return;
    wait_readable();
    read_available();
}

// --- reading -----------------------------------------------------------------------------------

void ws_session::wait_readable() {
    // Queued before the socket is read, never after: readiness that comes while (or after) we
    // read completes this wait, so none is missed even when another I/O thread takes it (the
    // reactor is edge-triggered; a wait queued after our own recv could sleep through it). At
    // worst a wait completes for bytes already read, and costs one recv that finds nothing.
    socket_.async_wait(net::socket_base::wait_read,
                       [self = shared_from_this()](const boost::system::error_code& ec) { self->on_readable(ec); });
}

void ws_session::on_readable(const boost::system::error_code& ec) {
    if (ec || ended_) return end();  // the socket was closed
    wait_readable();
    read_available();
}

void ws_session::read_available() {
    // The thread's buffer: an idle socket holds none, and frames are handled before the next recv.
    char* buffer = read_buffer();
    for (;;) {
        const ssize_t got = ::recv(socket_.native_handle(), buffer, read_chunk, MSG_DONTWAIT);
        if (got > 0) {
            last_received_ = clock::now();
            // After a close frame or a violation the rest is read and dropped until the end.
            if (reading_frames_) consume(buffer, static_cast<std::size_t>(got));
            if (ended_) return;
            if (static_cast<std::size_t>(got) < read_chunk) return;
            continue;
        }
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        return end();  // 0: the client closed the connection; otherwise it broke
    }
}

bool ws_session::consume(char* data, std::size_t size) {
    // A frame begun in an earlier read is completed with these bytes.
    std::string joined;
    if (unfinished_ && !unfinished_->frame.empty()) {
        joined = std::move(unfinished_->frame);
        unfinished_->frame = std::string();
        joined.append(data, size);
        data = joined.data();
        size = joined.size();
    }
    const std::size_t max_message = ctx_.limits.max_frame_bytes;
    std::size_t pos = 0;
    while (reading_frames_) {
        const auto h = ws::parse_header(reinterpret_cast<const std::uint8_t*>(data + pos), size - pos);
        if (!h) break;
        // Checked on the header alone, before waiting for a payload that may be huge.
        if (h->reserved_bits) return fail(ws::close_code::protocol_error, "reserved bits are set");
        if (!h->masked) return fail(ws::close_code::protocol_error, "client frames must be masked");
        if (h->is_control()) {
            if (!h->fin || h->length > 125) return fail(ws::close_code::protocol_error, "malformed control frame");
        } else if (h->length > max_message || (in_message_ && unfinished_->message.size() + h->length > max_message)) {
            return fail(ws::close_code::too_big, "message larger than 64 KiB");
        }
        if (size - pos - h->size < h->length) break;
        char* payload = data + pos + h->size;
        ws::unmask(payload, static_cast<std::size_t>(h->length), h->mask);
        pos += h->size + static_cast<std::size_t>(h->length);
        if (!handle_frame(*h, payload)) return false;
    }
    if (reading_frames_ && pos < size) keep_unfinished().frame.assign(data + pos, size - pos);
    else if (unfinished_ && !in_message_) unfinished_.reset();
    return reading_frames_;
}

ws_session::unfinished& ws_session::keep_unfinished() {
    if (!unfinished_) unfinished_ = std::make_unique<unfinished>();
    return *unfinished_;
}

bool ws_session::handle_frame(const ws::frame_header& h, char* payload) {
    const std::string_view bytes(payload, static_cast<std::size_t>(h.length));
    switch (h.opcode) {
        case static_cast<std::uint8_t>(ws::opcode::text):
        case static_cast<std::uint8_t>(ws::opcode::binary):
            if (in_message_) return fail(ws::close_code::protocol_error, "a message began inside another");
            if (h.fin) {
                handle_message(static_cast<ws::opcode>(h.opcode), bytes);
                return reading_frames_;
            }
            in_message_ = true;
            message_op_ = static_cast<ws::opcode>(h.opcode);
            keep_unfinished().message.assign(bytes);
            return true;
        case static_cast<std::uint8_t>(ws::opcode::continuation): {
            if (!in_message_) return fail(ws::close_code::protocol_error, "a continuation frame without a message");
            unfinished_->message.append(bytes);
            if (!h.fin) return true;
            in_message_ = false;
            const std::string whole = std::move(unfinished_->message);
            unfinished_->message = std::string();
            handle_message(message_op_, whole);
            return reading_frames_;
        }
        case static_cast<std::uint8_t>(ws::opcode::ping):
            send(ws::opcode::pong, std::make_shared<const std::string>(bytes));
            return true;
        case static_cast<std::uint8_t>(ws::opcode::pong):
            return true;
        case static_cast<std::uint8_t>(ws::opcode::close): {
            const auto code = ws::parse_close_payload(bytes);
            if (!code) return fail(ws::close_code::protocol_error, "malformed close frame");
            reading_frames_ = false;
            {
                // The answer to the client's close, unless ours went first.
                std::lock_guard lock(write_mutex_);
                close_locked(*code == 1005 ? ws::close_code::normal : *code, "");
            }
            closing_timer_ = true;
            check_after(close_timeout);
            return false;
        }
        default:
            return fail(ws::close_code::protocol_error, "unknown opcode");
    }
}

void ws_session::handle_message(ws::opcode op, std::string_view payload) {
    auto self = shared_from_this();
    // Only a whole message is the user at work: a hidden tab's browser still answers pings, and
    // counting those would keep every open tab "looking" and never notified.
    touch(now_ms());
    if (op == ws::opcode::binary) return ctx_.ws.binary_frame(*self);
    if (!auth::utf8_length(payload)) {
        fail(ws::close_code::invalid_payload, "text frames must be UTF-8");
        return;
    }
    ctx_.ws.frame(self, payload);
}

bool ws_session::fail(std::uint16_t code, std::string_view reason) {
    reading_frames_ = false;
    unfinished_.reset();
    in_message_ = false;
    {
        std::lock_guard lock(write_mutex_);
        close_locked(code, reason);
    }
    closing_timer_ = true;
    check_after(close_timeout);
    return false;
}

// --- timers and the end ----------------------------------------------------------------------

void ws_session::check_after(clock::duration after) {
    check_at_ = clock::now() + after;
    schedule_deadline();
}

void ws_session::schedule_deadline() {
    if (!ended_) ctx_.deadlines.schedule(*this, std::min(check_at_, token_at_));
}

void ws_session::expired() {
    // The wheel's thread: the session's state belongs to its strand.
    net::post(socket_.get_executor(), [self = shared_from_this()] { self->on_deadline(); });
}

void ws_session::on_deadline() {
    if (ended_) return;
    const auto now = clock::now();
    if (now >= token_at_) {
        token_at_ = clock::time_point::max();
        ctx_.ws.token_expired(*this);  // the error event goes out first, then the close
        close(4001, "token expired");
    }
    if (now >= check_at_) on_check(now);
    schedule_deadline();
}

void ws_session::on_check(clock::time_point now) {
    if (closing_timer_) return end();  // the client never finished the close handshake
    bool close_queued = false;
    {
        std::lock_guard lock(write_mutex_);
        close_queued = close_queued_;
    }
    if (close_queued) {  // queued by another thread (a slow consumer): its deadline starts now
        closing_timer_ = true;
        check_at_ = now + close_timeout;
        return;
    }
    // Keep-alive: a ping after half the idle timeout without a byte from the client, and the end
    // after the whole of it.
    const auto idle = now - last_received_;
    if (idle >= ctx_.limits.idle_timeout) return end();
    if (idle >= ctx_.limits.idle_timeout / 2) send(ws::opcode::ping, empty_payload());
    check_at_ = now + ctx_.limits.idle_timeout / 2;
}

void ws_session::end() {
    if (ended_) return;
    ended_ = true;
    ctx_.deadlines.cancel(*this);
    {
        std::lock_guard lock(write_mutex_);
        accepting_ = false;
        socket_open_ = false;
        // Under the mutex: no thread may send on a closed descriptor. Closing first also waits out
        // a write Asio may be performing on another thread, whose buffers are in the queue.
        boost::system::error_code ignored;
        socket_.close(ignored);
        queue_.reset();
        queued_bytes_ = 0;
        front_sent_ = 0;
    }
    if (registered_) ctx_.ws.closed(*this);
}

// --- writing -----------------------------------------------------------------------------------

void ws_session::deliver(std::shared_ptr<const std::string> frame) { send(ws::opcode::text, std::move(frame)); }

void ws_session::close(std::uint16_t code, std::string reason) {
    net::post(socket_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)] {
        if (self->ended_) return;
        {
            std::lock_guard lock(self->write_mutex_);
            if (!self->close_locked(code, reason)) return;
        }
        self->closing_timer_ = true;
        self->check_after(close_timeout);
    });
}

void ws_session::send(ws::opcode op, std::shared_ptr<const std::string> payload) {
    std::lock_guard lock(write_mutex_);
    if (!accepting_) return;
    if (queue_ && (queue_->size() >= ctx_.limits.max_queued_frames ||
                   queued_bytes_ + payload->size() > ctx_.limits.max_queued_bytes)) {
        // A client that does not read: drop its backlog rather than grow, and close it.
        ctx_.metrics.slow_consumer_closes.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("closing a slow consumer ({}): {} frames queued", who_.user_id, queue_->size());
        // Frames handed to the write in flight, or partly on the wire, must still go out whole,
        // or the stream is corrupt; the rest is dropped.
        const std::size_t keep = std::max<std::size_t>(in_flight_frames_, front_sent_ > 0 ? 1 : 0);
        queue_->erase(queue_->begin() + static_cast<std::ptrdiff_t>(std::min(keep, queue_->size())), queue_->end());
        queued_bytes_ = 0;
        for (const outgoing& f : *queue_) queued_bytes_ += f.payload->size();
        close_locked(ws::close_code::policy_violation, "slow consumer");
        return;
    }
    write_locked(op, std::move(payload));
}

bool ws_session::close_locked(std::uint16_t code, std::string_view reason) {
    if (!socket_open_ || close_queued_) return false;
    close_queued_ = true;
    accepting_ = false;
    write_locked(ws::opcode::close, std::make_shared<const std::string>(ws::close_payload(code, reason)));
    return true;
}

void ws_session::write_locked(ws::opcode op, std::shared_ptr<const std::string> payload) {
    if (!socket_open_) return;
    outgoing frame;
    frame.header_size = static_cast<std::uint8_t>(ws::encode_header(frame.header.data(), op, payload->size()));
    frame.payload = std::move(payload);
    frame.is_close = op == ws::opcode::close;
    std::size_t sent = 0;
    if (!queue_) {
        // Nothing is waiting: straight to the socket.
        iovec iov[2] = {{frame.header.data(), frame.header_size},
                        {const_cast<char*>(frame.payload->data()), frame.payload->size()}};
        msghdr msg{};
        msg.msg_iov = iov;
        msg.msg_iovlen = frame.payload->empty() ? 1 : 2;
        ssize_t n = 0;
        do n = ::sendmsg(socket_.native_handle(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        while (n < 0 && errno == EINTR);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            accepting_ = false;  // the connection broke; the read side ends the session
            return;
        }
        sent = n < 0 ? 0 : static_cast<std::size_t>(n);
        if (sent == frame.header_size + frame.payload->size()) return sent_locked(frame);
    }
    // The socket is full (or already has a queue): the rest waits, in order.
    const bool start_writing = !queue_;
    if (!queue_) {
        queue_ = std::make_unique<std::deque<outgoing>>();
        front_sent_ = sent;
    }
    queued_bytes_ += frame.payload->size();
    queue_->push_back(std::move(frame));
    if (start_writing) {
        net::post(socket_.get_executor(), [self = shared_from_this()] { self->write_queue_async(); });
    }
}

void ws_session::sent_locked(const outgoing& frame) {
    if (frame.is_handshake) return;
    if (!frame.is_close) {
        ctx_.metrics.frames_out.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    // Nothing follows a close frame: the client answers with its own and ends the connection.
    ::shutdown(socket_.native_handle(), SHUT_WR);
}

void ws_session::write_queue_async() {
    std::lock_guard lock(write_mutex_);
    if (!queue_ || !socket_open_) return;
    std::vector<net::const_buffer> buffers;
    buffers.reserve(2 * max_frames_per_write);
    std::size_t skip = front_sent_;
    for (std::size_t i = 0; i < queue_->size() && i < max_frames_per_write; ++i) {
        const outgoing& f = (*queue_)[i];
        const net::const_buffer parts[2] = {net::buffer(f.header.data(), f.header_size), net::buffer(*f.payload)};
        for (const auto& part : parts) {
            if (skip >= part.size()) {
                skip -= part.size();
                continue;
            }
            buffers.push_back(part + skip);
            skip = 0;
        }
    }
    in_flight_frames_ = std::min(queue_->size(), max_frames_per_write);
    // Asio's write tries the socket at once and otherwise waits for room, without missing the
    // moment room appeared in between (which a readiness wait after our own failed send could).
    socket_.async_write_some(buffers, [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
        std::lock_guard guard(self->write_mutex_);
        self->in_flight_frames_ = 0;
        if (!self->queue_ || !self->socket_open_) return;
        if (ec) {
            self->queue_.reset();
            self->accepting_ = false;  // the read side sees the broken connection and ends
            return;
        }
        std::size_t sent = self->front_sent_ + n;
        self->front_sent_ = 0;
        while (!self->queue_->empty()) {
            outgoing& front = self->queue_->front();
            const std::size_t total = front.header_size + front.payload->size();
            if (sent < total) {
                self->front_sent_ = sent;
                break;
            }
            sent -= total;
            self->queued_bytes_ -= std::min(self->queued_bytes_, front.payload->size());
            self->sent_locked(front);
            self->queue_->pop_front();
        }
        if (self->queue_->empty()) {
            self->queue_.reset();  // back to writing straight to the socket
            return;
        }
        net::post(self->socket_.get_executor(), [self] { self->write_queue_async(); });
    });
}

}  // namespace writeen::server

#include "net/ws_session.hpp"

#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include "model/clock.hpp"

namespace writeen::server {
namespace {

std::atomic<std::uint64_t> next_session_id{1};

/// Expected ends of a connection, not worth a log line.
bool routine(const boost::system::error_code& ec) {
    return ec == net::error::operation_aborted || ec == websocket::error::closed || ec == net::error::eof ||
           ec == net::error::connection_reset || ec == beast::error::timeout || ec == net::error::broken_pipe;
}

}  // namespace

ws_session::ws_session(beast::tcp_stream&& stream, auth::principal who, server_context& ctx)
    : ws_(std::move(stream)),
      who_(std::move(who)),
      ctx_(ctx),
      id_(next_session_id.fetch_add(1)),
      token_timer_(ws_.get_executor()) {}

ws_session::~ws_session() = default;

void ws_session::start(http::raw_request upgrade) {
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(30);
    timeouts.idle_timeout = ctx_.limits.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "writeen-chat"); }));
    ws_.read_message_max(ctx_.limits.max_frame_bytes);
    // The server neither masks nor compresses, so the write buffer is barely used; the 4 KiB
    // default would stay allocated for every idle socket after its first frame.
    ws_.write_buffer_bytes(256);
    ws_.auto_fragment(false);
    ws_.text(true);

    // Completion handlers rather than a coroutine: an idle socket then holds only its pending
    // read, not a coroutine frame as well (memory per idle connection is a goal).
    auto request = std::make_shared<http::raw_request>(std::move(upgrade));
    ws_.async_accept(*request, [self = shared_from_this(), request](const boost::system::error_code& ec) {
        if (ec) return;
        self->open_ = true;
        self->ctx_.ws.opened(self);
        self->arm_token_timer();
        self->read_next();
    });
}

void ws_session::read_next() {
    ws_.async_read(buffer_, [self = shared_from_this()](const boost::system::error_code& ec, std::size_t bytes) {
        self->on_read(ec, bytes);
    });
}

void ws_session::on_read(const boost::system::error_code& ec, std::size_t bytes) {
    if (ec) {
        if (!routine(ec) && ec != websocket::error::message_too_big)
            spdlog::debug("websocket of {} ended: {}", who_.user_id, ec.message());
        token_timer_.cancel();
        open_ = false;
        queue_.clear();
        queued_bytes_ = 0;
        ctx_.ws.closed(*this);
        return;
    }
    auto self = shared_from_this();
    if (ws_.got_text()) {
        const auto data = buffer_.cdata();
        ctx_.ws.frame(self, std::string_view(static_cast<const char*>(data.data()), data.size()));
    } else {
        ctx_.ws.frame(self, "\x01");  // binary frames are not part of the protocol: answered as malformed
    }
    buffer_.consume(bytes);
    // An idle socket should not keep a large buffer from one big frame.
    if (buffer_.capacity() > 8192) buffer_.shrink_to_fit();
    read_next();
}

void ws_session::arm_token_timer() {
    const auto remaining = std::chrono::milliseconds(who_.expires_at_ms - now_ms());
    token_timer_.expires_after(std::max(remaining, std::chrono::milliseconds(0)));
    token_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec || !self->open_) return;
        // The error event is posted; posting the close after it keeps them in that order.
        self->ctx_.ws.token_expired(*self);
        net::post(self->ws_.get_executor(), [self] { self->begin_close(4001, "token expired"); });
    });
}

void ws_session::deliver(std::shared_ptr<const std::string> frame) {
    net::post(ws_.get_executor(), [self = shared_from_this(), frame = std::move(frame)]() mutable {
        self->enqueue(std::move(frame));
    });
}

void ws_session::close(std::uint16_t code, std::string reason) {
    net::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
        self->begin_close(code, std::move(reason));
    });
}

void ws_session::enqueue(std::shared_ptr<const std::string> frame) {
    if (!open_ || closing_) return;
    if (queue_.size() >= ctx_.limits.max_queued_frames || queued_bytes_ + frame->size() > ctx_.limits.max_queued_bytes) {
        // A client that does not read: drop its backlog rather than grow, and close it.
        ctx_.metrics.slow_consumer_closes.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("closing a slow consumer ({}): {} frames queued", who_.user_id, queue_.size());
        // Keep only the frame being written: its buffer must live until the write completes.
        if (writing_) queue_.erase(queue_.begin() + 1, queue_.end());
        else queue_.clear();
        queued_bytes_ = 0;
        begin_close(1008, "slow consumer");
        return;
    }
    queued_bytes_ += frame->size();
    queue_.push_back(std::move(frame));
    if (!writing_) write_next();
}

void ws_session::write_next() {
    if (queue_.empty()) {
        writing_ = false;
        if (closing_ && open_) {
            writing_ = true;  // the close frame is the last write
            ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(close_code_), close_reason_),
                            [self = shared_from_this()](const boost::system::error_code&) {});
        }
        return;
    }
    writing_ = true;
    const auto& frame = queue_.front();
    ws_.async_write(net::buffer(*frame), [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
        if (!self->queue_.empty()) {
            self->queued_bytes_ -= std::min(self->queued_bytes_, self->queue_.front()->size());
            self->queue_.pop_front();
        }
        if (ec) {
            self->writing_ = false;
            self->queue_.clear();
            self->queued_bytes_ = 0;
            return;  // the read loop sees the failure and ends the session
        }
        self->ctx_.metrics.frames_out.fetch_add(1, std::memory_order_relaxed);
        self->write_next();
    });
}

void ws_session::begin_close(std::uint16_t code, std::string reason) {
    if (closing_ || !open_) return;
    closing_ = true;
    close_code_ = code;
    close_reason_ = std::move(reason);
    if (!writing_) write_next();
}

}  // namespace writeen::server

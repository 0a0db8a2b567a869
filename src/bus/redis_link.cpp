#include "bus/redis_link.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

namespace writeen::bus {
namespace {

void on_reply(redisAsyncContext*, void* reply, void* data) {
    std::unique_ptr<reply_handler> done(static_cast<reply_handler*>(data));
    (*done)(static_cast<redisReply*>(reply));
}

redis_link* link_of(const redisAsyncContext* ac) { return static_cast<redis_link*>(ac->data); }

}  // namespace

redis_link::redis_link(strand s, std::function<void()> on_up, std::function<void(std::string)> on_down)
    : strand_(s), socket_(s), on_up_(std::move(on_up)), on_down_(std::move(on_down)) {}

redis_link::~redis_link() { close(); }

bool redis_link::open(const std::string& host, int port) {
    ctx_ = redisAsyncConnect(host.c_str(), port);
    if (!ctx_ || ctx_->err) {
        std::string why = ctx_ ? ctx_->errstr : "out of memory";
        if (ctx_) redisAsyncFree(ctx_);
        ctx_ = nullptr;
        down(why);
        return false;
    }
    ctx_->data = this;
    ctx_->ev.data = this;
    ctx_->ev.addRead = add_read;
    ctx_->ev.delRead = del_read;
    ctx_->ev.addWrite = add_write;
    ctx_->ev.delWrite = del_write;
    ctx_->ev.cleanup = cleanup;
    boost::system::error_code ec;
    socket_.assign(ctx_->c.fd, ec);
    redisAsyncSetConnectCallback(ctx_, connected);
    redisAsyncSetDisconnectCallback(ctx_, disconnected);
    // The non-blocking connect completes when the socket becomes writable.
    add_write(this);
    return true;
}

void redis_link::close() {
    reported_down_ = true;  // a close asked for is not news
    if (auto* c = std::exchange(ctx_, nullptr)) redisAsyncFree(c);
    if (socket_.is_open()) socket_.release();
}

bool redis_link::command(const std::vector<std::string>& args, reply_handler done) {
    if (!ctx_) return false;
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const auto& a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    auto* data = new reply_handler(std::move(done));
    if (redisAsyncCommandArgv(ctx_, on_reply, data, static_cast<int>(args.size()), argv.data(), lengths.data()) !=
        REDIS_OK) {
        delete data;
        return false;
    }
    return true;
}

bool redis_link::subscribe(const std::vector<std::string>& args, redisCallbackFn* fn, void* data) {
    if (!ctx_) return false;
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const auto& a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    return redisAsyncCommandArgv(ctx_, fn, data, static_cast<int>(args.size()), argv.data(), lengths.data()) == REDIS_OK;
}

void redis_link::add_read(void* self) {
    auto* l = static_cast<redis_link*>(self);
    l->want_read_ = true;
    l->arm_read();
}
void redis_link::del_read(void* self) { static_cast<redis_link*>(self)->want_read_ = false; }
void redis_link::add_write(void* self) {
    auto* l = static_cast<redis_link*>(self);
    l->want_write_ = true;
    l->arm_write();
}
void redis_link::del_write(void* self) { static_cast<redis_link*>(self)->want_write_ = false; }

void redis_link::cleanup(void* self) {
    // hiredis is freeing the context (and closes its socket itself): let go of the descriptor
    // without closing it, which also ends the waits with operation_aborted.
    auto* l = static_cast<redis_link*>(self);
    l->ctx_ = nullptr;
    l->want_read_ = l->want_write_ = false;
    if (l->socket_.is_open()) l->socket_.release();
}

void redis_link::connected(const redisAsyncContext* ac, int status) {
    auto* l = link_of(ac);
    if (status != REDIS_OK) return l->down(ac->errstr);
    if (l->on_up_) l->on_up_();
}

void redis_link::disconnected(const redisAsyncContext* ac, int status) {
    auto* l = link_of(ac);
    l->down(status == REDIS_OK ? "closed" : ac->errstr);
}

void redis_link::down(std::string why) {
    if (std::exchange(reported_down_, true)) return;
    // Told after the hiredis callback returned: the handler may close and reconnect.
    boost::asio::post(strand_, [self = weak_from_this(), why = std::move(why)] {
        if (auto l = self.lock(); l && l->on_down_) l->on_down_(why);
    });
}

void redis_link::arm_read() {
    if (reading_ || !want_read_ || !socket_.is_open()) return;
    reading_ = true;
    socket_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                       boost::asio::bind_executor(strand_, [self = shared_from_this()](boost::system::error_code ec) {
                           self->reading_ = false;
                           if (ec || !self->ctx_) return;
                           redisAsyncHandleRead(self->ctx_);
                           self->arm_read();
                       }));
}

void redis_link::arm_write() {
    if (writing_ || !want_write_ || !socket_.is_open()) return;
    writing_ = true;
    socket_.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                       boost::asio::bind_executor(strand_, [self = shared_from_this()](boost::system::error_code ec) {
                           self->writing_ = false;
                           if (ec || !self->ctx_) return;
                           redisAsyncHandleWrite(self->ctx_);
                           self->arm_write();
                       }));
}

}  // namespace writeen::bus

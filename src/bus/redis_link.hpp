#pragma once
// One hiredis async connection driven by an Asio strand: hiredis says when it wants to read or
// write, a posix::stream_descriptor waits for readiness on the server's io_context and hands
// the socket back to hiredis. No thread of its own; every call runs on the strand.

#include <hiredis/async.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace writeen::bus {

using strand = boost::asio::strand<boost::asio::any_io_executor>;
/// A reply, or nullptr when the connection went before one came.
using reply_handler = std::function<void(redisReply*)>;

class redis_link : public std::enable_shared_from_this<redis_link> {
public:
    /// on_up: connected. on_down: the connection failed or broke (called at most once).
    redis_link(strand s, std::function<void()> on_up, std::function<void(std::string)> on_down);
    ~redis_link();
    /// Starts connecting; false (and on_down later) if hiredis refused at once.
    bool open(const std::string& host, int port);
    /// Frees the connection; pending replies get nullptr. Not from inside a hiredis callback.
    void close();
    /// Sends a command (binary-safe arguments); false when the connection is gone.
    bool command(const std::vector<std::string>& args, reply_handler done);
    /// Like command, with a callback that stays for every message (SUBSCRIBE).
    bool subscribe(const std::vector<std::string>& args, redisCallbackFn* fn, void* data);

private:
    static void add_read(void* self);
    static void del_read(void* self);
    static void add_write(void* self);
    static void del_write(void* self);
    static void cleanup(void* self);
    static void connected(const redisAsyncContext* ac, int status);
    static void disconnected(const redisAsyncContext* ac, int status);
    void arm_read();
    void arm_write();
    void down(std::string why);

    strand strand_;
    boost::asio::posix::stream_descriptor socket_;
    redisAsyncContext* ctx_ = nullptr;  // nullptr once hiredis freed it
    bool want_read_ = false, want_write_ = false, reading_ = false, writing_ = false, reported_down_ = false;
    std::function<void()> on_up_;
    std::function<void(std::string)> on_down_;
};

}  // namespace writeen::bus

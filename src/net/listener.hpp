#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "net/server_context.hpp"

namespace writeen::server {

namespace net = boost::asio;

/// Accepts TCP connections and runs each as an HTTP session on its own strand.
class listener {
public:
    /// Binds and listens; throws boost::system::system_error (e.g. address in use).
    listener(net::io_context& ioc, const net::ip::tcp::endpoint& endpoint, server_context& ctx);
    ~listener();
    listener(const listener&) = delete;
    listener& operator=(const listener&) = delete;

    void start();
    /// Stops accepting; open connections go on.
    void stop();
    net::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

private:
    net::awaitable<void> accept_loop();
    /// Out of file descriptors: accepts one waiting connection with the reserve descriptor and
    /// closes it. False when there was nothing to shed or no reserve.
    bool shed_one_connection();

    net::io_context& ioc_;
    net::ip::tcp::acceptor acceptor_;
    server_context& ctx_;
    /// A descriptor held back so that a connection can still be accepted (and closed) when the
    /// process is out of them; -1 while it is in use or could not be opened.
    int reserve_fd_ = -1;
};

}  // namespace writeen::server

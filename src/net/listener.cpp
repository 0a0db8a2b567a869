#include "net/listener.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "net/http_session.hpp"

namespace writeen::server {

listener::listener(net::io_context& ioc, const net::ip::tcp::endpoint& endpoint, server_context& ctx)
    : ioc_(ioc), acceptor_(ioc), ctx_(ctx) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
}

void listener::start() { net::co_spawn(acceptor_.get_executor(), accept_loop(), net::detached); }

void listener::stop() {
    net::post(acceptor_.get_executor(), [this] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    });
}

net::awaitable<void> listener::accept_loop() {
    for (;;) {
        auto [ec, socket] = co_await acceptor_.async_accept(net::make_strand(ioc_), net::as_tuple(net::use_awaitable));
        if (ec == net::error::operation_aborted || !acceptor_.is_open()) co_return;
        if (ec) {
            // Out of file descriptors or a transient failure: pause instead of spinning.
            spdlog::warn("accept failed: {}", ec.message());
            net::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(100));
            co_await pause.async_wait(net::as_tuple(net::use_awaitable));
            continue;
        }
        socket.set_option(net::ip::tcp::no_delay(true), ec);
        // Over a per-address limit the connection is closed at once, before any byte is read:
        // answering a 503 would cost the very resources the limit protects.
        std::optional<address_limits::lease> connection, first_header;
        const auto peer = socket.remote_endpoint(ec);
        if (ec) continue;  // already gone
        if (ctx_.connections_per_address && !(connection = ctx_.connections_per_address->try_acquire(peer.address()))) {
            spdlog::debug("refused a connection from {}: too many open connections from it", peer.address().to_string());
            continue;
        }
        if (ctx_.pending_headers_per_address &&
            !(first_header = ctx_.pending_headers_per_address->try_acquire(peer.address()))) {
            spdlog::debug("refused a connection from {}: too many connections from it still sending headers",
                          peer.address().to_string());
            continue;
        }
        auto executor = socket.get_executor();
        net::co_spawn(executor,
                      run_http_session(boost::beast::tcp_stream(std::move(socket)), ctx_, std::move(connection),
                                       std::move(first_header)),
                      net::detached);
    }
}

}  // namespace writeen::server

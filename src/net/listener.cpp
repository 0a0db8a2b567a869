#include "net/listener.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/http_session.hpp"

namespace writeen::server {

listener::listener(net::io_context& ioc, const net::ip::tcp::endpoint& endpoint, server_context& ctx)
    : ioc_(ioc), acceptor_(ioc), ctx_(ctx) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
    // shed_one_connection accepts with ::accept4, which must not block the I/O thread.
    acceptor_.native_non_blocking(true);
    reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

listener::~listener() {
    if (reserve_fd_ >= 0) ::close(reserve_fd_);
}

bool listener::shed_one_connection() {
    // The classic way out of EMFILE: give back the descriptor held in reserve, accept the
    // waiting connection and close it at once, take the reserve again. The client sees its
    // connection closed instead of hanging in the backlog, and the loop does not spin on a
    // connection it can never accept.
    if (reserve_fd_ < 0) return false;
    ::close(reserve_fd_);
    reserve_fd_ = -1;
    const int shed = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (shed >= 0) ::close(shed);
    reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    return shed >= 0;
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
            const bool out_of_descriptors =
                ec == net::error::no_descriptors || ec.value() == ENFILE;  // EMFILE, ENFILE
            if (out_of_descriptors && shed_one_connection()) {
                ctx_.metrics.connections_refused.count(http::refusal::file_descriptors);
                spdlog::warn("accept failed: {}; closed the waiting connection", ec.message());
                continue;
            }
            // A transient failure, or no reserve to shed with: pause instead of spinning.
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
            ctx_.metrics.connections_refused.count(http::refusal::too_many_connections);
            spdlog::debug("refused a connection from {}: too many open connections from it", peer.address().to_string());
            continue;
        }
        if (ctx_.pending_headers_per_address &&
            !(first_header = ctx_.pending_headers_per_address->try_acquire(peer.address()))) {
            ctx_.metrics.connections_refused.count(http::refusal::too_many_pending_headers);
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

#pragma once
// Turns the chat service's completion callbacks (called on the store's writer thread) into
// awaitables that resume on the calling coroutine's executor.

#include <boost/asio/async_result.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <memory>

namespace writeen::http {

namespace net = boost::asio;

/// Starts an operation `start(reply)` and awaits its reply(std::exception_ptr, T).
/// An exception in the reply is rethrown in the awaiting coroutine.
template <class T, class Start>
net::awaitable<T> await_reply(Start start) {
    return net::async_initiate<const net::use_awaitable_t<>&, void(std::exception_ptr, T)>(
        [start = std::move(start)](auto handler) mutable {
            auto executor = net::get_associated_executor(handler);
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            // start may throw before it queues anything (validation): the exception must reach
            // the awaiting coroutine, not escape the initiation and end the process.
            auto reply = [shared, executor](std::exception_ptr e, T value) {
                net::post(executor, [shared, e, value = std::move(value)]() mutable { (*shared)(e, std::move(value)); });
            };
            std::exception_ptr failed;
            try {
                start(reply);
            } catch (...) {
                failed = std::current_exception();
            }
            if (failed) {
                T nothing{};
                reply(failed, std::move(nothing));
            }
        },
        net::use_awaitable);
}

}  // namespace writeen::http

#pragma once
// The two endpoints whose bodies never sit whole in memory: an upload's request body is read
// from the connection in chunks, and a download's response body is written in chunks. The
// connection layer (net/http_session) implements the reading and does the writing.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <functional>
#include <string>
#include <string_view>

namespace writeen::http {

/// The body of a request, read from its connection on demand.
class body_source {
public:
    virtual ~body_source() = default;
    /// The next bytes of the body (valid until the next call); empty at its end. Throws
    /// api_error(bad_request) when the connection fails or the framing is broken.
    virtual boost::asio::awaitable<std::string_view> next() = 0;
    /// True once the whole body has been read, so the connection can serve another request.
    virtual bool done() const = 0;
};

/// A response whose body is produced piece by piece.
struct streamed_response {
    /// Status and headers, Content-Length included.
    boost::beast::http::response<boost::beast::http::empty_body> head;
    /// The next piece of the body; empty at its end. An exception ends the connection (the
    /// client sees fewer bytes than Content-Length).
    std::function<boost::asio::awaitable<std::string>()> next;
};

}  // namespace writeen::http

#pragma once
// Maps method + path patterns ("/api/conversations/:id") to handlers.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/principal.hpp"

namespace writeen::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

using raw_request = bhttp::request<bhttp::string_body>;
using response = bhttp::response<bhttp::string_body>;

/// A request as handlers see it: the raw message, path parameters, decoded query, caller.
struct request {
    const raw_request& raw;
    std::vector<std::string> params;                          // in pattern order
    std::vector<std::pair<std::string, std::string>> query;  // percent-decoded
    auth::principal who;

    std::optional<std::string_view> query_value(std::string_view key) const;
};

using handler = std::function<net::awaitable<response>(request&)>;

class router {
public:
    struct route {
        bhttp::verb method;
        std::vector<std::string> segments;  // ":name" segments capture
        handler handle;
        bool authenticated;
    };
    struct match {
        const route* found = nullptr;
        std::vector<std::string> params;
        bool other_method = false;  // the path exists with another method (405)
    };

    void add(bhttp::verb method, std::string_view pattern, handler h, bool authenticated = true);
    /// `path` without the query string, still percent-encoded.
    match find(bhttp::verb method, std::string_view path) const;
    /// Every route as "METHOD /pattern" (e.g. "GET /api/messages/:id/thread"), in the order added.
    std::vector<std::string> patterns() const;

private:
    std::vector<route> routes_;
};

/// Percent-decodes one path segment or query component; nullopt when malformed.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

}  // namespace writeen::http

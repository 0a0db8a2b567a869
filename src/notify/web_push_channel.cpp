#include "notify/web_push_channel.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>
#include <stdexcept>

#include "notify/push_endpoint.hpp"
#include "proto/notification_json.hpp"

namespace writeen::notify {
namespace {

bool public_v4(const unsigned char* a, bool allow_loopback) {
    if (a[0] == 127) return allow_loopback;
    if (a[0] == 0 || a[0] == 10) return false;                          // this network, private
    if (a[0] == 100 && (a[1] & 0xc0) == 64) return false;               // shared (CGNAT)
    if (a[0] == 169 && a[1] == 254) return false;                       // link-local (cloud metadata)
    if (a[0] == 172 && (a[1] & 0xf0) == 16) return false;               // private
    if (a[0] == 192 && a[1] == 168) return false;                       // private
    if (a[0] == 192 && a[1] == 0 && a[2] == 0) return false;            // IETF protocol assignments
    if (a[0] == 198 && (a[1] & 0xfe) == 18) return false;               // benchmarking
    if (a[0] >= 224) return false;                                      // multicast, reserved, broadcast
    return true;
}

}  // namespace

bool public_push_address(const std::string& address, bool allow_loopback) {
    unsigned char v4[4];
    if (inet_pton(AF_INET, address.c_str(), v4) == 1) return public_v4(v4, allow_loopback);
    unsigned char v6[16];
    if (inet_pton(AF_INET6, address.c_str(), v6) != 1) return false;
    static constexpr unsigned char loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (std::memcmp(v6, loopback, 16) == 0) return allow_loopback;
    static constexpr unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(v6, mapped, 12) == 0) return public_v4(v6 + 12, allow_loopback);
    if ((v6[0] & 0xe0) != 0x20) return false;  // only global unicast 2000::/3
    if (v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0d && v6[3] == 0xb8) return false;  // documentation
    if (v6[0] == 0x20 && v6[1] == 0x02) return false;  // 6to4 may wrap a private IPv4
    return true;
}

std::optional<http_post> web_push_channel::request_for(const notification& n, const push_subscription& s,
                                                       std::int64_t tag, std::string& why) const {
    const auto endpoint = parse_push_endpoint(s.endpoint);
    if (!endpoint) {
        why = "endpoint not acceptable";
        return std::nullopt;
    }
    std::string host = endpoint->host;
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    const std::uint16_t port = endpoint->port.value_or(endpoint->scheme == "https" ? 443 : 80);

    // Resolved here, at send time, and pinned: a name that resolves to the internal network (or
    // changes between a check and the connect) cannot make the server POST there.
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || !found) {
        why = "endpoint host does not resolve";
        return std::nullopt;
    }
    std::string chosen;
    for (addrinfo* a = found; a && chosen.empty(); a = a->ai_next) {
        char text[INET6_ADDRSTRLEN] = {};
        const void* raw = a->ai_family == AF_INET ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                                                  : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
        if (!inet_ntop(a->ai_family, raw, text, sizeof text)) continue;
        if (public_push_address(text, allow_loopback_)) chosen = a->ai_family == AF_INET6 ? "[" + std::string(text) + "]" : text;
    }
    freeaddrinfo(found);
    if (chosen.empty()) {
        why = "endpoint resolves to a private or loopback address";
        return std::nullopt;
    }
    web_push_request req;
    try {
        req = build_web_push_request({.endpoint = s.endpoint, .p256dh = s.p256dh, .auth = s.auth}, proto::push_payload(n),
                                     key_, options_);
    } catch (const std::invalid_argument& e) {
        why = e.what();
        return std::nullopt;
    }
    return http_post{.tag = tag,
                     .url = std::move(req.url),
                     .headers = std::move(req.headers),
                     .body = std::move(req.body),
                     .pinned_address = host + ":" + std::to_string(port) + ":" + chosen};
}

}  // namespace writeen::notify

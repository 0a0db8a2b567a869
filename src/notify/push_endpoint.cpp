#include "notify/push_endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>

namespace writeen::notify {
namespace {

constexpr std::size_t max_host_size = 253;
constexpr std::size_t max_label_size = 63;

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

// RFC 3986 characters other than '#' (a fragment is never sent, so one in an endpoint only
// hides something) and '%' (checked with its two hex digits on its own).
bool is_url_char(char c) {
    if (is_alpha(c) || is_digit(c)) return true;
    return std::string_view("-._~:/?[]@!$&'()*+,;=").find(c) != std::string_view::npos;
}

// Path and query: no brackets (they belong to an IPv6 host), escapes well formed.
bool valid_path_and_query(std::string_view rest) {
    for (std::size_t i = 0; i < rest.size(); ++i) {
        const char c = rest[i];
        if (c == '%') {
            if (i + 2 >= rest.size() || !is_hex(rest[i + 1]) || !is_hex(rest[i + 2])) return false;
            i += 2;
        } else if (c == '[' || c == ']' || !is_url_char(c)) {
            return false;
        }
    }
    return true;
}

// A DNS name of letters, digits and inner hyphens, or a dotted-quad IPv4 address. A name whose
// last label starts with a digit is read as an IPv4 address by URL parsers and resolvers
// (0x7f.1, 2130706433, 127.1 all mean 127.0.0.1), so it must be the one canonical form.
std::optional<std::string> parse_name_host(std::string_view host) {
    if (host.empty() || host.size() > max_host_size) return std::nullopt;
    std::size_t start = 0;
    std::string_view last_label;
    while (true) {
        const std::size_t dot = host.find('.', start);
        const std::string_view label = host.substr(start, dot == std::string_view::npos ? dot : dot - start);
        if (label.empty() || label.size() > max_label_size || label.front() == '-' || label.back() == '-')
            return std::nullopt;
        for (char c : label)
            if (!is_alpha(c) && !is_digit(c) && c != '-') return std::nullopt;
        last_label = label;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    if (is_digit(last_label.front())) {
        in_addr address{};
        const std::string text(host);
        if (inet_pton(AF_INET, text.c_str(), &address) != 1) return std::nullopt;
    }
    return lowered(host);
}

// "[v6]" with the address in canonical form, or nullopt. No zone identifiers.
std::optional<std::string> parse_ipv6_host(std::string_view bracketed, in6_addr& address) {
    const std::string inner(bracketed.substr(1, bracketed.size() - 2));
    if (inet_pton(AF_INET6, inner.c_str(), &address) != 1) return std::nullopt;
    std::array<char, INET6_ADDRSTRLEN> text{};
    if (inet_ntop(AF_INET6, &address, text.data(), text.size()) == nullptr) return std::nullopt;
    return "[" + std::string(text.data()) + "]";
}

std::optional<std::uint16_t> parse_port(std::string_view digits) {
    if (digits.empty() || digits.size() > 5) return std::nullopt;
    unsigned value = 0;
    for (char c : digits) {
        if (!is_digit(c)) return std::nullopt;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string push_endpoint::origin() const {
    std::string out = scheme + "://" + host;
    if (port) out += ":" + std::to_string(*port);
    return out;
}

std::optional<push_endpoint> parse_push_endpoint(std::string_view url) {
    if (url.empty() || url.size() > max_push_endpoint_size) return std::nullopt;
    for (char c : url)
        if (c != '%' && !is_url_char(c)) return std::nullopt;

    push_endpoint endpoint;
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    const std::string_view scheme = url.substr(0, scheme_end);
    if (iequals(scheme, "https"))
        endpoint.scheme = "https";
    else if (iequals(scheme, "http"))
        endpoint.scheme = "http";
    else
        return std::nullopt;

    const std::string_view after_scheme = url.substr(scheme_end + 3);
    const std::size_t authority_end = after_scheme.find_first_of("/?");
    const std::string_view authority = after_scheme.substr(0, authority_end);
    const std::string_view rest =
        authority_end == std::string_view::npos ? std::string_view{} : after_scheme.substr(authority_end);
    // Userinfo is refused outright: "https://push.example@10.0.0.1/" reads as one host to a
    // person and as another to the HTTP client.
    if (authority.find('@') != std::string_view::npos || authority.find('%') != std::string_view::npos)
        return std::nullopt;

    std::string_view host_text = authority;
    std::string_view port_text;
    bool has_port = false;
    in6_addr v6{};
    bool is_ipv6 = false;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host_text = authority.substr(0, close + 1);
        const std::string_view tail = authority.substr(close + 1);
        if (!tail.empty()) {
            if (tail.front() != ':') return std::nullopt;
            has_port = true;
            port_text = tail.substr(1);
        }
        is_ipv6 = true;
    } else {
        const std::size_t colon = authority.find(':');
        if (colon != std::string_view::npos) {
            host_text = authority.substr(0, colon);
            port_text = authority.substr(colon + 1);
            has_port = true;
        }
        if (host_text.find_first_of("[]") != std::string_view::npos) return std::nullopt;
    }

    const std::optional<std::string> host =
        is_ipv6 ? parse_ipv6_host(host_text, v6) : parse_name_host(host_text);
    if (!host) return std::nullopt;
    endpoint.host = *host;
    if (has_port) {
        const std::optional<std::uint16_t> port = parse_port(port_text);
        if (!port) return std::nullopt;
        const std::uint16_t default_port = endpoint.scheme == "https" ? 443 : 80;
        if (*port != default_port) endpoint.port = port;
    }
    if (!valid_path_and_query(rest)) return std::nullopt;

    // Plain http only where nothing between the server and the receiver can read or alter it.
    if (endpoint.scheme == "http") {
        const bool loopback = is_ipv6 ? IN6_IS_ADDR_LOOPBACK(&v6) != 0
                                      : endpoint.host == "127.0.0.1" || endpoint.host == "localhost";
        if (!loopback) return std::nullopt;
    }
    return endpoint;
}

bool acceptable_push_endpoint(std::string_view url) { return parse_push_endpoint(url).has_value(); }

}  // namespace writeen::notify

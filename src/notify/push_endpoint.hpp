#pragma once
// The push endpoint of a subscription: a URL a browser's push service gave it, which the server
// will POST to. It comes from the client, so it is checked before it is stored or used.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace writeen::notify {

/// Longest endpoint URL accepted (real ones are under 1 KiB).
constexpr std::size_t max_push_endpoint_size = 2048;

/// The parts of an accepted endpoint URL that the server relies on.
struct push_endpoint {
    /// "https", or "http" for a loopback host.
    std::string scheme;
    /// Lower case; an IPv6 literal in brackets, in its canonical (RFC 5952) spelling.
    std::string host;
    /// Set only when it is not the scheme's default port.
    std::optional<std::uint16_t> port;

    /// The origin, scheme://host[:port] (RFC 6454 §6.2): the VAPID audience of the endpoint.
    std::string origin() const;
};

/// The endpoint `url` names, or nullopt unless it is acceptable: an absolute `https:` URL, or
/// `http:` to 127.0.0.1, [::1] or localhost (tests); at most 2048 bytes of RFC 3986 characters
/// (no spaces, controls or non-ASCII); no userinfo, no fragment, no backslash; a DNS name or a
/// dotted-quad IPv4 or bracketed IPv6 address (no numeric forms such as 0x7f.1 that resolvers
/// read as other addresses); a port from 1 to 65535.
std::optional<push_endpoint> parse_push_endpoint(std::string_view url);

/// Whether the server may send push messages to `url` (parse_push_endpoint accepts it).
bool acceptable_push_endpoint(std::string_view url);

}  // namespace writeen::notify

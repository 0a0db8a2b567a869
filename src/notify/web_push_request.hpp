#pragma once
// A push message as an HTTP request (RFC 8030 §5), built here and sent by the delivery code.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/clock.hpp"
#include "model/types.hpp"
#include "notify/push_endpoint.hpp"
#include "notify/vapid_key.hpp"

namespace writeen::notify {

/// A browser's push subscription (PushSubscription.toJSON(): endpoint, keys.p256dh, keys.auth).
struct web_push_subscription {
    /// The push service URL to POST to.
    std::string endpoint;
    /// The browser's P-256 public key, base64url.
    std::string p256dh;
    /// The browser's 16-byte authentication secret, base64url.
    std::string auth;
};

/// How push messages are sent.
struct web_push_options {
    /// The operator's contact for push services, a mailto: or https: URI (the VAPID `sub`).
    std::string vapid_subject;
    /// How long the push service keeps an undelivered message (the TTL header).
    std::chrono::seconds ttl{std::chrono::hours(24)};
    /// How long the VAPID token is valid, at most vapid_key::max_token_lifetime. Well under it,
    /// so a push service whose clock runs ahead of ours still accepts the token.
    std::chrono::seconds vapid_lifetime{std::chrono::hours(12)};
};

/// A POST request, ready to send as is: the sender adds only Content-Length.
struct web_push_request {
    /// The subscription's endpoint.
    std::string url;
    /// Header names and values: TTL, Content-Encoding, Content-Type, Urgency, Authorization.
    std::vector<std::pair<std::string, std::string>> headers;
    /// The aes128gcm-encrypted payload.
    std::string body;
};

/// The request delivering `payload` to `subscription`, signed with `vapid` for the endpoint's
/// origin. Throws std::invalid_argument when the endpoint is not acceptable_push_endpoint, a
/// subscription key is malformed, the payload is over max_push_plaintext_size, or an option
/// is out of range (negative TTL, a VAPID lifetime of zero or over 24 h, a bad subject).
web_push_request build_web_push_request(const web_push_subscription& subscription, std::string_view payload,
                                        const vapid_key& vapid, const web_push_options& options,
                                        unix_ms now = now_ms());

}  // namespace writeen::notify

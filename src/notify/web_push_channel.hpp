#pragma once
// The Web Push channel (RFC 8030 + RFC 8291 + RFC 8292): one encrypted, VAPID-signed POST per
// notification and subscription. The endpoint comes from a browser, so the host is resolved here
// and refused when it names the internal network; the connection is pinned to the checked address.

#include <optional>
#include <string>

#include "model/notification_types.hpp"
#include "notify/http_sender.hpp"
#include "notify/vapid_key.hpp"
#include "notify/web_push_request.hpp"

namespace writeen::notify {

/// Whether a resolved address may receive push messages: public unicast only; loopback only when
/// allow_loopback (tests). `address` is numeric IPv4 or IPv6.
bool public_push_address(const std::string& address, bool allow_loopback);

class web_push_channel {
public:
    web_push_channel(const vapid_key& key, web_push_options options, bool allow_loopback)
        : key_(key), options_(std::move(options)), allow_loopback_(allow_loopback) {}

    /// The POST delivering n to s, tagged; nullopt (with why) when the endpoint resolves to no
    /// acceptable address or the subscription is unusable: the send is dropped, never retried.
    std::optional<http_post> request_for(const notification& n, const push_subscription& s, std::int64_t tag,
                                         std::string& why) const;

private:
    const vapid_key& key_;
    web_push_options options_;
    bool allow_loopback_;
};

}  // namespace writeen::notify

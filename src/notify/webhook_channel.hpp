#pragma once
// The webhook channel (API.md "Notifications"): a signed JSON POST per notification to one URL
// configured by the operator (the Writeen main app relays it to FCM/APNs).

#include <string>
#include <string_view>

#include "model/notification_types.hpp"
#include "notify/http_sender.hpp"

namespace writeen::notify {

/// `sha256=` and the lowercase hex HMAC-SHA256 of body with secret: X-Writeen-Signature.
std::string webhook_signature(std::string_view body, std::string_view secret);

class webhook_channel {
public:
    webhook_channel(std::string url, std::string secret) : url_(std::move(url)), secret_(std::move(secret)) {}

    bool configured() const { return !url_.empty(); }
    /// The POST delivering n, tagged with the send's id.
    http_post request_for(const notification& n, std::int64_t tag) const;

private:
    std::string url_;
    std::string secret_;
};

}  // namespace writeen::notify

#include "notify/web_push_request.hpp"

#include <limits>
#include <optional>
#include <stdexcept>

#include "notify/web_push_encryption.hpp"

namespace writeen::notify {

web_push_request build_web_push_request(const web_push_subscription& subscription, std::string_view payload,
                                        const vapid_key& vapid, const web_push_options& options,
                                        unix_ms now) {
    const std::optional<push_endpoint> endpoint = parse_push_endpoint(subscription.endpoint);
    if (!endpoint)
        throw std::invalid_argument(
            "push endpoint must be an https: URL (http: only to loopback) without userinfo");
    if (options.ttl < std::chrono::seconds::zero())
        throw std::invalid_argument("push TTL must not be negative");
    if (options.vapid_lifetime <= std::chrono::seconds::zero() ||
        options.vapid_lifetime > vapid_key::max_token_lifetime)
        throw std::invalid_argument("VAPID token lifetime must be more than 0 and at most 24 hours");

    const unix_ms lifetime_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(options.vapid_lifetime).count();
    if (now < 0 || now > std::numeric_limits<unix_ms>::max() - lifetime_ms)
        throw std::invalid_argument("push signing time is out of range");
    const unix_ms expires_at = now + lifetime_ms;
    web_push_request request;
    request.url = subscription.endpoint;
    // Encrypted first: it is the step that refuses a bad subscription key or an oversize payload.
    request.body = encrypt_push_message(payload, subscription.p256dh, subscription.auth);
    request.headers = {
        {"TTL", std::to_string(options.ttl.count())},
        {"Content-Encoding", "aes128gcm"},
        {"Content-Type", "application/octet-stream"},
        {"Urgency", "normal"},
        {"Authorization", vapid.authorization(endpoint->origin(), options.vapid_subject, expires_at, now)},
    };
    return request;
}

}  // namespace writeen::notify

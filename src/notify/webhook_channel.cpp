#include "notify/webhook_channel.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "proto/notification_json.hpp"

namespace writeen::notify {

std::string webhook_signature(std::string_view body, std::string_view secret) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
              reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &size))
        throw std::runtime_error("HMAC-SHA256 failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "sha256=";
    for (unsigned int i = 0; i < size; ++i) {
        out += hex[mac[i] >> 4];
        out += hex[mac[i] & 0xf];
    }
    return out;
}

http_post webhook_channel::request_for(const notification& n, std::int64_t tag) const {
    http_post post{.tag = tag, .url = url_, .body = proto::webhook_body(n)};
    post.headers = {{"Content-Type", "application/json"},
                    {"X-Writeen-Notification-Id", n.id},
                    {"X-Writeen-Signature", webhook_signature(post.body, secret_)}};
    return post;
}

}  // namespace writeen::notify

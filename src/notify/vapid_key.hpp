#pragma once
// The server's VAPID key (RFC 8292): the P-256 key that identifies this server to push
// services. Browsers bind each subscription to its public half, so losing or replacing the key
// silently ends every subscription; it is made once and kept.

#include <openssl/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "model/clock.hpp"
#include "model/types.hpp"

namespace writeen::notify {

/// A VAPID signing key. Const members may be called from any thread at once.
class vapid_key {
  public:
    /// The longest a VAPID token may stay valid (RFC 8292 §2).
    static constexpr std::chrono::hours max_token_lifetime{24};

    /// Reads the PEM private key at `path`, or creates it (a new P-256 key, mode 0600) if the
    /// file does not exist. Throws std::runtime_error when the file is not a regular file, is
    /// accessible by group or others, or does not hold a P-256 private key.
    static vapid_key load_or_create(const std::filesystem::path& path);

    /// A fresh key held only in memory (tests).
    static vapid_key generate();

    vapid_key(vapid_key&&) noexcept;
    vapid_key& operator=(vapid_key&&) noexcept;
    ~vapid_key();

    /// The public key, uncompressed P-256 point in unpadded base64url: the
    /// `applicationServerKey` browsers subscribe with (GET /api/notifications/vapid-key).
    const std::string& public_key_base64url() const { return public_key_; }

    /// The `Authorization` header value `vapid t=<JWT>, k=<public key>` for a push service at
    /// `audience_origin` (scheme://host[:port]); the ES256 JWT carries aud, exp and sub.
    /// `subject` is the operator's contact, a `mailto:` or `https:` URI. An `expires_at` more
    /// than 24 h after `now` is brought back to now + 24 h. Throws std::invalid_argument when the
    /// audience is not an origin, the subject is not such a URI, or `expires_at` is not after `now`.
    std::string authorization(std::string_view audience_origin, std::string_view subject, unix_ms expires_at,
                              unix_ms now = now_ms()) const;

  private:
    struct key_free {
        void operator()(EVP_PKEY* key) const noexcept;
    };
    explicit vapid_key(std::unique_ptr<EVP_PKEY, key_free> key);

    // Never modified after construction; OpenSSL 3 allows concurrent signing with one key.
    std::unique_ptr<EVP_PKEY, key_free> key_;
    std::string public_key_;
};

}  // namespace writeen::notify

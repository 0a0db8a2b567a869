#pragma once
// Web Push message encryption (RFC 8291) in the `aes128gcm` content coding (RFC 8188): the
// body of a push request, readable only by the browser that made the subscription.

#include <cstddef>
#include <string>
#include <string_view>

namespace writeen::notify {

/// Record size written in the header: the one record must fit in it.
constexpr std::size_t push_record_size = 4096;

/// Most plaintext bytes one push message carries. A push service need not accept a body over
/// 4096 bytes (RFC 8030 §7.2); the 86-byte header, the padding delimiter and the 16-byte tag
/// leave 3993 (RFC 8291 §4).
constexpr std::size_t max_push_plaintext_size = 3993;

/// The aes128gcm body carrying `plaintext` to the subscription whose keys are `p256dh`
/// (base64url, uncompressed P-256 point) and `auth` (base64url, 16 bytes): salt | rs | idlen |
/// keyid (a fresh ephemeral public key) | one record. Throws std::invalid_argument on a
/// malformed key or a plaintext over max_push_plaintext_size.
std::string encrypt_push_message(std::string_view plaintext, std::string_view p256dh, std::string_view auth);

/// The same with the sender's ephemeral private key (32-byte raw scalar) and 16-byte salt given,
/// so a test can reproduce RFC 8291 Appendix A. Reusing either for two messages breaks the
/// encryption: everything else calls the overload above.
std::string encrypt_push_message(std::string_view plaintext, std::string_view p256dh, std::string_view auth,
                                 std::string_view ephemeral_private_key, std::string_view salt);

}  // namespace writeen::notify

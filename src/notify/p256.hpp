#pragma once
// NIST P-256 keys in the raw forms Web Push exchanges them: a public key is the 65-byte
// uncompressed point (0x04 | X | Y, SEC 1 §2.3.3), a private key the 32-byte scalar.

#include <cstddef>
#include <string>
#include <string_view>

#include "notify/openssl_handles.hpp"

namespace writeen::notify {

/// Size of an uncompressed P-256 point.
constexpr std::size_t p256_public_key_size = 65;
/// Size of a P-256 private scalar and of each signature half.
constexpr std::size_t p256_scalar_size = 32;

/// The public key whose uncompressed point is `point`. Throws std::invalid_argument unless it
/// is 65 bytes, starts with 0x04 and lies on the curve.
pkey_ptr p256_public_key(std::string_view point);

/// The key pair of the 32-byte big-endian scalar `scalar` (its public half computed). Throws
/// std::invalid_argument unless 0 < scalar < the group order.
pkey_ptr p256_private_key(std::string_view scalar);

/// A fresh random key pair.
pkey_ptr p256_generate();

/// Whether `key` is an EC key on P-256.
bool is_p256(EVP_PKEY* key);

/// The uncompressed public point of a P-256 key.
std::string p256_public_point(EVP_PKEY* key);

}  // namespace writeen::notify

#pragma once
// Owning handles for the OpenSSL objects the notify module uses, and its one failure path.

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>
#include <stdexcept>
#include <string_view>

#include "auth/openssl_free.hpp"

namespace writeen::notify {

using auth::openssl_free;

/// An owned EVP_PKEY.
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_free<EVP_PKEY_free>>;
/// An owned EVP_PKEY_CTX.
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, openssl_free<EVP_PKEY_CTX_free>>;
/// An owned EVP_CIPHER_CTX.
using cipher_ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, openssl_free<EVP_CIPHER_CTX_free>>;
/// An owned EVP_MD_CTX.
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, openssl_free<EVP_MD_CTX_free>>;
/// An owned EVP_KDF.
using kdf_ptr = std::unique_ptr<EVP_KDF, openssl_free<EVP_KDF_free>>;
/// An owned EVP_KDF_CTX.
using kdf_ctx_ptr = std::unique_ptr<EVP_KDF_CTX, openssl_free<EVP_KDF_CTX_free>>;
/// An owned BIGNUM, cleared before it is freed (it may be a private scalar).
using bignum_ptr = std::unique_ptr<BIGNUM, openssl_free<BN_clear_free>>;
/// An owned BN_CTX.
using bn_ctx_ptr = std::unique_ptr<BN_CTX, openssl_free<BN_CTX_free>>;
/// An owned EC_GROUP.
using ec_group_ptr = std::unique_ptr<EC_GROUP, openssl_free<EC_GROUP_free>>;
/// An owned EC_POINT.
using ec_point_ptr = std::unique_ptr<EC_POINT, openssl_free<EC_POINT_free>>;
/// An owned BIO.
using bio_ptr = std::unique_ptr<BIO, openssl_free<BIO_free>>;

/// Drops the calling thread's OpenSSL error queue. These calls run on threads that also do TLS,
/// where a stale entry makes SSL_get_error misreport the next I/O result.
inline void discard_openssl_errors() { ERR_clear_error(); }

/// Throws std::runtime_error for an OpenSSL failure that is not the caller's fault.
[[noreturn]] inline void fail_openssl(const char* what) {
    discard_openssl_errors();
    throw std::runtime_error(what);
}

/// Bytes as OpenSSL's unsigned char pointer.
inline const unsigned char* as_bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace writeen::notify

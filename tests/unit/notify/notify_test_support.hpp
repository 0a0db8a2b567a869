#pragma once
// Helpers for the notify tests, deliberately independent of src/notify (and of src/auth's
// base64url): decoding goes through OpenSSL's standard base64 and keys are imported and
// verified with OpenSSL directly, so a bug in the code under test cannot cancel itself out.

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "../auth/jwt_test_support.hpp"

namespace writeen::notify::test {

/// Unpadded base64url by OpenSSL, not by the code under test (shared with the JWT tests).
using auth::test::b64url;

/// The bytes of unpadded base64url `text`, via OpenSSL's standard base64. Throws if malformed.
inline std::string b64url_decode(std::string_view text) {
    if (text.find_first_of("+/=") != std::string_view::npos) throw std::invalid_argument("not base64url");
    std::string standard(text);
    for (char& c : standard) {
        if (c == '-') c = '+';
        if (c == '_') c = '/';
    }
    const std::size_t padding = (4 - standard.size() % 4) % 4;
    if (padding == 3) throw std::invalid_argument("impossible base64url length");
    standard.append(padding, '=');
    std::string out(standard.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(standard.data()),
                                  static_cast<int>(standard.size()));
    if (n < 0) throw std::invalid_argument("not base64url");
    out.resize(static_cast<std::size_t>(n) - padding);
    return out;
}

/// The three parts of a compact JWS, decoded, and the text that was signed.
struct jwt_parts {
    std::string header;
    std::string claims;
    std::string signature;
    std::string signing_input;
};

/// Splits `token` at its two dots. Throws unless there are exactly three parts.
inline jwt_parts split_jwt(std::string_view token) {
    const std::size_t first = token.find('.');
    const std::size_t second = token.find('.', first + 1);
    if (first == std::string_view::npos || second == std::string_view::npos ||
        token.find('.', second + 1) != std::string_view::npos)
        throw std::invalid_argument("not a compact JWS");
    return {b64url_decode(token.substr(0, first)), b64url_decode(token.substr(first + 1, second - first - 1)),
            b64url_decode(token.substr(second + 1)), std::string(token.substr(0, second))};
}

struct pkey_free {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
/// An owned OpenSSL key.
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

/// The P-256 public key of the uncompressed point `point`, or null.
inline pkey_ptr import_p256_point(std::string_view point) {
    std::array<OSSL_PARAM, 3> params{
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>("prime256v1"), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<char*>(point.data()),
                                          point.size()),
        OSSL_PARAM_construct_end()};
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
        EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr), &EVP_PKEY_CTX_free);
    EVP_PKEY* key = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.data()) != 1) {
        ERR_clear_error();
        return nullptr;
    }
    return pkey_ptr(key);
}

/// Whether `raw_signature` (JWS R || S, 64 bytes) is a valid ES256 signature of `input` by the
/// P-256 key whose uncompressed point is `public_point`. Converts R || S to the DER OpenSSL checks.
inline bool es256_verifies(std::string_view public_point, std::string_view input,
                           std::string_view raw_signature) {
    if (raw_signature.size() != 64) return false;
    const pkey_ptr key = import_p256_point(public_point);
    if (!key) return false;
    const auto* raw = reinterpret_cast<const unsigned char*>(raw_signature.data());
    ECDSA_SIG* sig = ECDSA_SIG_new();
    BIGNUM* r = BN_bin2bn(raw, 32, nullptr);
    BIGNUM* s = BN_bin2bn(raw + 32, 32, nullptr);
    if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1)
        throw std::runtime_error("cannot build an ECDSA signature");
    unsigned char* der = nullptr;
    const int der_size = i2d_ECDSA_SIG(sig, &der);
    ECDSA_SIG_free(sig);
    if (der_size <= 0) throw std::runtime_error("cannot encode an ECDSA signature");
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok =
        ctx != nullptr &&
        EVP_DigestVerifyInit_ex(ctx, nullptr, "SHA256", nullptr, nullptr, key.get(), nullptr) == 1 &&
        EVP_DigestVerify(ctx, der, static_cast<std::size_t>(der_size),
                         reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    ERR_clear_error();
    return ok;
}

/// A fresh directory under the system temp dir, removed with everything in it on destruction.
class temp_dir {
  public:
    temp_dir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "writeen-notify-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~temp_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    /// The directory.
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace writeen::notify::test

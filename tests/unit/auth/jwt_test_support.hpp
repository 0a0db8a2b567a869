#pragma once
// Token crafting for the auth tests. Deliberately independent of src/auth: tokens are encoded
// with OpenSSL's base64 and signed with OpenSSL or libjwt, so a bug in the code under test
// cannot cancel itself out in the tests.

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace writeen::auth::test {

/// A 32-byte HS256 secret: the shortest the verifier accepts.
inline const std::string secret = "0123456789abcdef0123456789abcdef";

/// The time the tests run at: 2023-11-14T22:13:20Z.
inline constexpr std::int64_t now_ms = 1'700'000'000'000;
inline constexpr std::int64_t now_s = now_ms / 1000;

/// The standard header of an HS256 token.
inline constexpr std::string_view hs256_header = R"({"alg":"HS256","typ":"JWT"})";

/// `bytes` as unpadded base64url, via OpenSSL's standard base64.
inline std::string b64url(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& c : out) {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    return out;
}

/// A token with exactly this header and payload JSON, signed by HMAC with `md` and `key`.
inline std::string sign_hmac(std::string_view header_json, std::string_view payload_json,
                             std::string_view key = secret, const EVP_MD* md = EVP_sha256()) {
    const std::string input = b64url(header_json) + "." + b64url(payload_json);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (HMAC(md, key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length) == nullptr)
        throw std::runtime_error("HMAC failed");
    return input + "." + b64url(std::string_view(reinterpret_cast<const char*>(mac), length));
}

/// An HS256 token with this payload JSON, signed with the test secret.
inline std::string hs256(std::string_view payload_json) { return sign_hmac(hs256_header, payload_json); }

/// A token for `payload_json` signed by libjwt with `alg` and `key` (a secret or a private PEM).
inline std::string libjwt_sign(jwt_alg_t alg, std::string_view key, const std::string& payload_json) {
    jwt_t* raw = nullptr;
    if (jwt_new(&raw) != 0) throw std::runtime_error("jwt_new failed");
    const std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(raw, &jwt_free);
    if (jwt_add_grants_json(jwt.get(), payload_json.c_str()) != 0)
        throw std::runtime_error("bad test payload");
    if (jwt_set_alg(jwt.get(), alg, reinterpret_cast<const unsigned char*>(key.data()),
                    static_cast<int>(key.size())) != 0)
        throw std::runtime_error("jwt_set_alg failed");
    char* encoded = jwt_encode_str(jwt.get());
    if (encoded == nullptr) throw std::runtime_error("jwt_encode_str failed");
    std::string token(encoded);
    std::free(encoded);
    return token;
}

/// An asymmetric key pair as PEM text.
struct key_pair {
    std::string private_pem;  ///< PKCS#8 "BEGIN PRIVATE KEY"
    std::string public_pem;   ///< SPKI "BEGIN PUBLIC KEY"
};

inline std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(length));
}

inline key_pair pem_pair(EVP_PKEY* key) {
    const std::unique_ptr<BIO, decltype(&BIO_free)> priv(BIO_new(BIO_s_mem()), &BIO_free);
    const std::unique_ptr<BIO, decltype(&BIO_free)> pub(BIO_new(BIO_s_mem()), &BIO_free);
    if (PEM_write_bio_PrivateKey(priv.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
        PEM_write_bio_PUBKEY(pub.get(), key) != 1)
        throw std::runtime_error("PEM export failed");
    return {bio_text(priv.get()), bio_text(pub.get())};
}

/// A fresh RSA key pair of `bits` bits.
inline key_pair generate_rsa(unsigned bits) {
    const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)), &EVP_PKEY_free);
    if (!key) throw std::runtime_error("RSA keygen failed");
    return pem_pair(key.get());
}

/// A fresh EC key pair on `curve` (an OpenSSL group name such as "P-256").
inline key_pair generate_ec(const char* curve) {
    const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve), &EVP_PKEY_free);
    if (!key) throw std::runtime_error("EC keygen failed");
    return pem_pair(key.get());
}

/// One 2048-bit RSA pair for the whole run: key generation is the slowest step of the suite.
inline const key_pair& rsa_2048() {
    static const key_pair pair = generate_rsa(2048);
    return pair;
}

/// One P-256 pair for the whole run.
inline const key_pair& p256() {
    static const key_pair pair = generate_ec("P-256");
    return pair;
}

}  // namespace writeen::auth::test

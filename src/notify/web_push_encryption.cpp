#include "notify/web_push_encryption.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <optional>
#include <stdexcept>
#include <utility>

#include "auth/base64url.hpp"
#include "notify/openssl_handles.hpp"
#include "notify/p256.hpp"

namespace writeen::notify {
namespace {

constexpr std::size_t auth_secret_size = 16;  // RFC 8291 §3.2
constexpr std::size_t salt_size = 16;         // RFC 8188 §2.1
constexpr std::size_t key_size = 16;          // AEAD_AES_128_GCM
constexpr std::size_t nonce_size = 12;
constexpr std::size_t tag_size = 16;
constexpr std::size_t header_size = salt_size + 4 + 1 + p256_public_key_size;
// RFC 8188 §2: the last record ends its plaintext with 0x02; no padding after it.
constexpr char last_record_delimiter = 0x02;
static_assert(header_size + max_push_plaintext_size + 1 + tag_size == push_record_size);

// Key material that is wiped when it goes out of scope.
struct secret {
    std::string bytes;
    explicit secret(std::string b) : bytes(std::move(b)) {}
    secret(const secret&) = delete;
    secret& operator=(const secret&) = delete;
    ~secret() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

std::string decode_key(std::string_view text, const char* name) {
    std::optional<std::string> bytes = auth::base64url_decode(text);
    if (!bytes)
        throw std::invalid_argument(std::string("subscription key '") + name + "' is not unpadded base64url");
    return std::move(*bytes);
}

const EVP_KDF* hkdf() {
    // Fetched once: an EVP_KDF is immutable and may be shared by every thread.
    static const kdf_ptr kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
    if (!kdf) fail_openssl("OpenSSL has no HKDF");
    return kdf.get();
}

// HKDF-SHA-256 extract-then-expand (RFC 5869).
std::string hkdf_sha256(std::string_view salt, std::string_view ikm, std::string_view info,
                        std::size_t length) {
    kdf_ctx_ptr ctx(EVP_KDF_CTX_new(const_cast<EVP_KDF*>(hkdf())));
    if (!ctx) fail_openssl("cannot allocate an HKDF context");
    const std::array<OSSL_PARAM, 5> params{
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(ikm.data()), ikm.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size()),
        OSSL_PARAM_construct_end()};
    std::string out(length, '\0');
    if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), out.size(), params.data()) !=
        1)
        fail_openssl("HKDF failed");
    return out;
}

std::string ecdh(EVP_PKEY* own, EVP_PKEY* peer) {
    pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own, nullptr));
    std::size_t length = 0;
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
        EVP_PKEY_derive_set_peer_ex(ctx.get(), peer, 1) != 1 ||
        EVP_PKEY_derive(ctx.get(), nullptr, &length) != 1)
        fail_openssl("cannot set up ECDH");
    std::string shared(length, '\0');
    if (EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(shared.data()), &length) != 1)
        fail_openssl("ECDH failed");
    shared.resize(length);
    return shared;
}

void append_be32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

// AES-128-GCM of `plaintext`, ciphertext then tag appended to `out`.
void seal(std::string_view key, std::string_view nonce, std::string_view plaintext, std::string& out) {
    cipher_ctx_ptr ctx(EVP_CIPHER_CTX_new());
    const std::size_t at = out.size();
    out.resize(at + plaintext.size() + tag_size);
    auto* dst = reinterpret_cast<unsigned char*>(out.data() + at);
    int length = 0;
    const bool ok =
        ctx &&
        EVP_EncryptInit_ex2(ctx.get(), EVP_aes_128_gcm(), as_bytes(key), as_bytes(nonce), nullptr) == 1 &&
        EVP_EncryptUpdate(ctx.get(), dst, &length, as_bytes(plaintext), static_cast<int>(plaintext.size())) ==
            1 &&
        EVP_EncryptFinal_ex(ctx.get(), dst + length, &length) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag_size),
                            dst + plaintext.size()) == 1;
    if (!ok) fail_openssl("AES-128-GCM encryption failed");
}

std::string encrypt(std::string_view plaintext, std::string_view p256dh, std::string_view auth_text,
                    EVP_PKEY* sender, std::string_view salt) {
    if (plaintext.size() > max_push_plaintext_size)
        throw std::invalid_argument("push payload is " + std::to_string(plaintext.size()) +
                                    " bytes; at most " + std::to_string(max_push_plaintext_size) +
                                    " fit in one push message");
    const std::string receiver_point = decode_key(p256dh, "p256dh");
    const secret auth_secret(decode_key(auth_text, "auth"));
    if (auth_secret.bytes.size() != auth_secret_size)
        throw std::invalid_argument("subscription key 'auth' must be 16 bytes");
    const pkey_ptr receiver = p256_public_key(receiver_point);
    const std::string sender_point = p256_public_point(sender);

    // RFC 8291 §3.3-3.4: the ECDH secret is mixed with the auth secret and both public keys,
    // and the result is the input keying material of RFC 8188.
    const secret shared(ecdh(sender, receiver.get()));
    std::string key_info("WebPush: info");
    key_info.push_back('\0');
    key_info += receiver_point;
    key_info += sender_point;
    const secret ikm(hkdf_sha256(auth_secret.bytes, shared.bytes, key_info, 32));

    // RFC 8188 §2.2-2.3; the single record has sequence number 0, so its nonce is the
    // derived nonce unchanged.
    using namespace std::string_view_literals;
    const secret cek(hkdf_sha256(salt, ikm.bytes, "Content-Encoding: aes128gcm\0"sv, key_size));
    const secret nonce(hkdf_sha256(salt, ikm.bytes, "Content-Encoding: nonce\0"sv, nonce_size));

    std::string body;
    body.reserve(header_size + plaintext.size() + 1 + tag_size);
    body += salt;
    append_be32(body, push_record_size);
    body.push_back(static_cast<char>(p256_public_key_size));
    body += sender_point;
    std::string record(plaintext);
    record.push_back(last_record_delimiter);
    seal(cek.bytes, nonce.bytes, record, body);
    return body;
}

}  // namespace

std::string encrypt_push_message(std::string_view plaintext, std::string_view p256dh, std::string_view auth) {
    std::array<char, salt_size> salt{};
    if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1)
        fail_openssl("RAND_bytes failed");
    const pkey_ptr ephemeral = p256_generate();
    return encrypt(plaintext, p256dh, auth, ephemeral.get(), std::string_view(salt.data(), salt.size()));
}

std::string encrypt_push_message(std::string_view plaintext, std::string_view p256dh, std::string_view auth,
                                 std::string_view ephemeral_private_key, std::string_view salt) {
    if (salt.size() != salt_size) throw std::invalid_argument("the aes128gcm salt must be 16 bytes");
    const pkey_ptr ephemeral = p256_private_key(ephemeral_private_key);
    return encrypt(plaintext, p256dh, auth, ephemeral.get(), salt);
}

}  // namespace writeen::notify

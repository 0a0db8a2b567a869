#include "notify/vapid_key.hpp"

#include <openssl/crypto.h>
#include <openssl/pem.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <limits>
#include <stdexcept>

#include "auth/base64url.hpp"
#include "notify/openssl_handles.hpp"
#include "notify/p256.hpp"
#include "notify/push_endpoint.hpp"
#include "notify/secret_file.hpp"

namespace writeen::notify {
namespace {

using ecdsa_sig_ptr = std::unique_ptr<ECDSA_SIG, openssl_free<ECDSA_SIG_free>>;

// A PEM P-256 key is about 240 bytes; anything far larger is some other file.
constexpr std::size_t max_key_file_size = 16384;
constexpr std::size_t max_subject_size = 1024;
// 9999-12-31T23:59:59Z, so adding the token lifetime to `now` cannot overflow.
constexpr unix_ms latest_time = 253402300799000;

std::string to_pem(EVP_PKEY* key) {
    bio_ptr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        fail_openssl("cannot encode the VAPID key as PEM");
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    if (length <= 0 || data == nullptr) fail_openssl("cannot encode the VAPID key as PEM");
    std::string pem(data, static_cast<std::size_t>(length));
    OPENSSL_cleanse(data, static_cast<std::size_t>(length));
    return pem;
}

// Refuses to ask for a passphrase: the default callback would prompt on the terminal at start-up.
int no_passphrase(char*, int, int, void*) { return 0; }

pkey_ptr from_pem(const std::string& pem, const std::filesystem::path& path) {
    bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) fail_openssl("cannot allocate an OpenSSL BIO");
    pkey_ptr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
    discard_openssl_errors();
    if (!key)
        throw std::runtime_error("VAPID key file " + path.string() +
                                 " does not hold an unencrypted PEM private key");
    if (!is_p256(key.get()))
        throw std::runtime_error("VAPID key file " + path.string() +
                                 " holds a key that is not on P-256 (ES256)");
    return key;
}

bool is_visible_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

// RFC 8292 §2.1: the contact is a mailto: or an https: URI. Push services use it to reach the
// operator, and some (Apple's) refuse tokens without one.
bool is_contact_uri(std::string_view subject) {
    if (subject.size() > max_subject_size || !is_visible_ascii(subject)) return false;
    if (subject.starts_with("mailto:")) {
        const std::string_view address = subject.substr(7);
        const std::size_t at = address.find('@');
        return at != std::string_view::npos && at > 0 && at + 1 < address.size();
    }
    return subject.starts_with("https://") && acceptable_push_endpoint(subject);
}

const std::string& encoded_jwt_header() {
    static const std::string header = auth::base64url_encode(R"({"typ":"JWT","alg":"ES256"})");
    return header;
}

// ES256 (RFC 7518 §3.4): JWS carries the signature as fixed-width R || S, OpenSSL makes DER.
std::string sign_es256(EVP_PKEY* key, std::string_view input) {
    md_ctx_ptr ctx(EVP_MD_CTX_new());
    std::size_t length = 0;
    if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &length, as_bytes(input), input.size()) != 1)
        fail_openssl("cannot set up ES256 signing");
    std::string der(length, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &length, as_bytes(input),
                       input.size()) != 1)
        fail_openssl("ES256 signing failed");
    const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
    ecdsa_sig_ptr sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(length)));
    if (!sig) fail_openssl("cannot decode an ECDSA signature");
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    std::string raw(2 * p256_scalar_size, '\0');
    auto* out = reinterpret_cast<unsigned char*>(raw.data());
    if (BN_bn2binpad(r, out, p256_scalar_size) != static_cast<int>(p256_scalar_size) ||
        BN_bn2binpad(s, out + p256_scalar_size, p256_scalar_size) != static_cast<int>(p256_scalar_size))
        fail_openssl("cannot encode an ECDSA signature");
    return raw;
}

}  // namespace

void vapid_key::key_free::operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }

vapid_key::vapid_key(std::unique_ptr<EVP_PKEY, key_free> key)
    : key_(std::move(key)), public_key_(auth::base64url_encode(p256_public_point(key_.get()))) {}

vapid_key::vapid_key(vapid_key&&) noexcept = default;
vapid_key& vapid_key::operator=(vapid_key&&) noexcept = default;
vapid_key::~vapid_key() = default;

vapid_key vapid_key::generate() {
    return vapid_key(std::unique_ptr<EVP_PKEY, key_free>(p256_generate().release()));
}

vapid_key vapid_key::load_or_create(const std::filesystem::path& path) {
    std::string pem = load_or_create_secret_file(
        path, [] { return to_pem(p256_generate().get()); }, max_key_file_size);
    // Parsed even when just written, so what the server runs with is what the next start reads.
    pkey_ptr key;
    try {
        key = from_pem(pem, path);
    } catch (...) {
        OPENSSL_cleanse(pem.data(), pem.size());
        throw;
    }
    OPENSSL_cleanse(pem.data(), pem.size());
    return vapid_key(std::unique_ptr<EVP_PKEY, key_free>(key.release()));
}

std::string vapid_key::authorization(std::string_view audience_origin, std::string_view subject,
                                     unix_ms expires_at, unix_ms now) const {
    const std::optional<push_endpoint> audience = parse_push_endpoint(audience_origin);
    if (!audience || audience->origin() != audience_origin)
        throw std::invalid_argument(
            "VAPID audience must be a push service origin such as https://push.example.net");
    if (!is_contact_uri(subject))
        throw std::invalid_argument("VAPID subject must be a mailto: or https: contact URI");
    if (now < 0 || now > latest_time) throw std::invalid_argument("VAPID signing time is out of range");
    if (expires_at <= now) throw std::invalid_argument("a VAPID token must expire after it is made");
    // Clamped rather than refused: a caller asking for "24 h from now" computed its now a moment
    // before ours, and push services refuse a token even a second over the limit.
    const unix_ms latest =
        now + std::chrono::duration_cast<std::chrono::milliseconds>(max_token_lifetime).count();
    const std::int64_t expires_s = std::min(expires_at, latest) / 1000;

    boost::json::object claims;
    claims["aud"] = audience_origin;
    claims["exp"] = expires_s;
    claims["sub"] = subject;
    std::string token = encoded_jwt_header() + "." + auth::base64url_encode(boost::json::serialize(claims));
    token += "." + auth::base64url_encode(sign_es256(key_.get(), token));
    return "vapid t=" + token + ", k=" + public_key_;
}

}  // namespace writeen::notify

#include "auth/token_verifier.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>
#include <variant>
#include <vector>

#include "auth/base64url.hpp"
#include "auth/claim_set.hpp"
#include "auth/openssl_free.hpp"
#include "auth/roles.hpp"
#include "auth/verified_token_cache.hpp"

namespace writeen::auth {
namespace {

using bio_ptr = std::unique_ptr<BIO, openssl_free<BIO_free>>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_free<EVP_PKEY_free>>;
using mac_ptr = std::unique_ptr<EVP_MAC, openssl_free<EVP_MAC_free>>;
using mac_ctx_ptr = std::unique_ptr<EVP_MAC_CTX, openssl_free<EVP_MAC_CTX_free>>;
using md_ptr = std::unique_ptr<EVP_MD, openssl_free<EVP_MD_free>>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, openssl_free<EVP_MD_CTX_free>>;
using ecdsa_sig_ptr = std::unique_ptr<ECDSA_SIG, openssl_free<ECDSA_SIG_free>>;
using bignum_ptr = std::unique_ptr<BIGNUM, openssl_free<BN_free>>;

enum class jws_algorithm { hs256, rs256, es256 };

constexpr std::size_t sha256_bytes = 32;
constexpr std::size_t p256_coordinate_bytes = 32;

// 9999-12-31T23:59:59Z. NumericDates are clamped to it, so adding a leeway never overflows.
constexpr double latest_numeric_date = 253402300799.0;

// A failed OpenSSL call leaves entries in the calling thread's error queue. Those threads also
// run TLS, where a stale entry makes SSL_get_error misreport the next I/O result; so every
// failure path drains the queue before returning.
void discard_openssl_errors() { ERR_clear_error(); }

[[noreturn]] void fail_internal(const char* what) {
    discard_openssl_errors();
    throw std::runtime_error(what);
}

[[noreturn]] void refuse(auth_failure reason, const std::string& message) {
    throw auth_error(reason, message);
}

std::optional<jws_algorithm> parse_algorithm(std::string_view name) {
    if (name == "HS256") return jws_algorithm::hs256;
    if (name == "RS256") return jws_algorithm::rs256;
    if (name == "ES256") return jws_algorithm::es256;
    return std::nullopt;
}

// Names an algorithm in a message only when it is a registered JWS name (RFC 7518 §3.1): the
// header is attacker-controlled and the message ends up in logs and responses.
bool is_registered_jws_algorithm(std::string_view name) {
    static constexpr std::array<std::string_view, 14> registered{"none",  "HS256", "HS384", "HS512", "RS256",
                                                                 "RS384", "RS512", "ES256", "ES384", "ES512",
                                                                 "PS256", "PS384", "PS512", "EdDSA"};
    return std::find(registered.begin(), registered.end(), name) != registered.end();
}

pkey_ptr read_public_key(const std::string& pem, std::string_view algorithm) {
    if (pem.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw std::invalid_argument(std::string(algorithm) + " key is too large");
    bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) fail_internal("cannot allocate an OpenSSL BIO");
    pkey_ptr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!key) {
        discard_openssl_errors();
        throw std::invalid_argument(std::string(algorithm) +
                                    " key must be a PEM public key (-----BEGIN PUBLIC KEY-----)");
    }
    return key;
}

void require_rsa_key(EVP_PKEY* key) {
    if (!EVP_PKEY_is_a(key, "RSA"))
        throw std::invalid_argument("RS256 needs an RSA public key, but the PEM holds another key type");
    if (EVP_PKEY_get_bits(key) < 2048)
        throw std::invalid_argument("RS256 public key must have at least 2048 bits");
}

void require_p256_key(EVP_PKEY* key) {
    if (!EVP_PKEY_is_a(key, "EC"))
        throw std::invalid_argument("ES256 needs an EC public key, but the PEM holds another key type");
    std::array<char, 64> group{};
    std::size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                       &length) != 1 ||
        OBJ_txt2nid(group.data()) != NID_X9_62_prime256v1) {
        discard_openssl_errors();
        throw std::invalid_argument("ES256 public key must be on curve P-256");
    }
}

// JWS carries an ECDSA signature as the fixed-width big-endian R || S (RFC 7518 §3.4);
// OpenSSL verifies the DER SEQUENCE of two INTEGERs.
std::optional<std::string> p256_signature_to_der(std::string_view raw) {
    if (raw.size() != 2 * p256_coordinate_bytes) return std::nullopt;
    const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
    bignum_ptr r(BN_bin2bn(bytes, p256_coordinate_bytes, nullptr));
    bignum_ptr s(BN_bin2bn(bytes + p256_coordinate_bytes, p256_coordinate_bytes, nullptr));
    ecdsa_sig_ptr sig(ECDSA_SIG_new());
    if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
        fail_internal("cannot build an ECDSA signature");
    // ECDSA_SIG_set0 took ownership of both numbers.
    (void)r.release();
    (void)s.release();
    const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (length <= 0) fail_internal("cannot encode an ECDSA signature");
    std::string der(static_cast<std::size_t>(length), '\0');
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    if (i2d_ECDSA_SIG(sig.get(), &out) != length) fail_internal("cannot encode an ECDSA signature");
    return der;
}

std::int64_t numeric_date_ms(double seconds) {
    seconds = std::clamp(seconds, -latest_numeric_date, latest_numeric_date);
    return static_cast<std::int64_t>(std::floor(seconds * 1000.0));
}

// A NumericDate claim: nullopt when absent or null; a refusal when present but not a number.
std::optional<std::int64_t> read_numeric_date(const claim_set& claims, std::string_view name,
                                              const char* description) {
    const claim_value* value = claims.find(name);
    if (value == nullptr || std::holds_alternative<std::nullptr_t>(*value)) return std::nullopt;
    const double* seconds = std::get_if<double>(value);
    if (seconds == nullptr)
        refuse(auth_failure::invalid_claims, std::string("token ") + description + " is not a number");
    return numeric_date_ms(*seconds);
}

// An optional string claim: `fallback` when absent, null or empty; a refusal when not a string.
std::string read_optional_string(const claim_set& claims, std::string_view name, std::string fallback) {
    const claim_value* value = claims.find(name);
    if (value == nullptr || std::holds_alternative<std::nullptr_t>(*value)) return fallback;
    const std::string* text = std::get_if<std::string>(value);
    if (text == nullptr)
        refuse(auth_failure::invalid_claims, "token claim '" + std::string(name) + "' is not a string");
    return text->empty() ? fallback : *text;
}

// `role`: student when absent or null; otherwise exactly one of the four names (an empty string
// is a wrong value, not a missing one).
writeen::role read_role(const claim_set& claims) {
    const claim_value* value = claims.find("role");
    if (value == nullptr || std::holds_alternative<std::nullptr_t>(*value)) return role::student;
    const std::string* name = std::get_if<std::string>(value);
    const auto parsed = name == nullptr ? std::nullopt : parse_role(*name);
    if (!parsed)
        refuse(auth_failure::invalid_claims, "token role must be one of student, tutor, admin, service");
    return *parsed;
}

bool audience_matches(const claim_value& aud, const std::string& expected) {
    if (const auto* one = std::get_if<std::string>(&aud)) return *one == expected;
    if (const auto* many = std::get_if<std::vector<std::string>>(&aud))
        return std::find(many->begin(), many->end(), expected) != many->end();
    return false;
}

// The three parts of a JWS compact serialisation, as views into the token.
struct token_parts {
    std::string_view header;
    std::string_view payload;
    std::string_view signature;
    std::string_view signing_input;  // header '.' payload: the bytes the signature covers
};

token_parts split(std::string_view token) {
    if (token.empty()) refuse(auth_failure::malformed, "token is empty");
    if (token.size() > max_token_bytes) refuse(auth_failure::malformed, "token is too long");
    const std::size_t first = token.find('.');
    const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
        refuse(auth_failure::malformed, "token is not a JWT: expected three dot-separated parts");
    token_parts parts;
    parts.header = token.substr(0, first);
    parts.payload = token.substr(first + 1, second - first - 1);
    parts.signature = token.substr(second + 1);
    parts.signing_input = token.substr(0, second);
    if (parts.header.empty() || parts.payload.empty())
        refuse(auth_failure::malformed, "token is not a JWT: a part is empty");
    return parts;
}

claim_set decode_json_part(std::string_view part, const char* what) {
    const auto bytes = base64url_decode(part);
    if (!bytes) refuse(auth_failure::malformed, std::string("token ") + what + " is not base64url");
    auto parsed = claim_set::parse(*bytes);
    if (!parsed) refuse(auth_failure::malformed, std::string("token ") + what + " is not a JSON object");
    return std::move(*parsed);
}

}  // namespace

struct token_verifier::impl {
    std::string algorithm_name;
    jws_algorithm algorithm;
    std::optional<std::string> issuer;
    std::optional<std::string> audience;
    std::int64_t leeway_ms;

    // Immutable after construction, so shared by all threads without locking: OpenSSL allows
    // concurrent use of one EVP_PKEY, and a keyed HMAC context is only ever duplicated.
    mac_ctx_ptr hmac_template;  // HS256: HMAC-SHA256 already keyed with the secret
    pkey_ptr public_key;        // RS256/ES256
    md_ptr sha256;              // RS256/ES256: fetched once rather than per verification

    verified_token_cache cache;

    explicit impl(verifier_options& options)
        : algorithm_name(options.algorithm),
          algorithm(checked_algorithm(options.algorithm)),
          issuer(std::move(options.issuer)),
          audience(std::move(options.audience)),
          leeway_ms(checked_leeway_ms(options.leeway_seconds)),
          cache(options.cache_capacity) {
        if (algorithm == jws_algorithm::hs256) {
            key_hmac(options.key);
        } else {
            public_key = read_public_key(options.key, algorithm_name);
            if (algorithm == jws_algorithm::rs256)
                require_rsa_key(public_key.get());
            else
                require_p256_key(public_key.get());
            sha256.reset(EVP_MD_fetch(nullptr, "SHA256", nullptr));
            if (!sha256) fail_internal("OpenSSL has no SHA-256");
        }
    }

    static jws_algorithm checked_algorithm(const std::string& name) {
        const auto parsed = parse_algorithm(name);
        if (!parsed) throw std::invalid_argument("token algorithm must be HS256, RS256 or ES256");
        return *parsed;
    }

    static std::int64_t checked_leeway_ms(int seconds) {
        if (seconds < 0) throw std::invalid_argument("token leeway must not be negative");
        return std::int64_t{seconds} * 1000;
    }

    void key_hmac(std::string& secret) {
        if (secret.size() < min_hs256_secret_bytes)
            throw std::invalid_argument("HS256 secret must be at least 32 bytes long");
        mac_ptr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
        if (!mac) fail_internal("OpenSSL has no HMAC");
        hmac_template.reset(EVP_MAC_CTX_new(mac.get()));
        std::array<char, 7> digest{"SHA256"};
        const std::array<OSSL_PARAM, 2> params{
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest.data(), 0),
            OSSL_PARAM_construct_end()};
        if (!hmac_template ||
            EVP_MAC_init(hmac_template.get(), reinterpret_cast<const unsigned char*>(secret.data()),
                         secret.size(), params.data()) != 1)
            fail_internal("cannot initialise HMAC-SHA256");
        // The keyed context holds its own copy; do not leave another one in the options.
        OPENSSL_cleanse(secret.data(), secret.size());
    }

    bool hmac_matches(std::string_view input, std::string_view signature) const {
        if (signature.size() != sha256_bytes) return false;
        mac_ctx_ptr ctx(EVP_MAC_CTX_dup(hmac_template.get()));
        std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
        std::size_t length = 0;
        if (!ctx ||
            EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(input.data()), input.size()) !=
                1 ||
            EVP_MAC_final(ctx.get(), mac.data(), &length, mac.size()) != 1 || length != sha256_bytes)
            fail_internal("cannot compute HMAC-SHA256");
        // Constant time: a byte-by-byte early exit would let a client find a valid MAC by timing.
        return CRYPTO_memcmp(mac.data(), signature.data(), sha256_bytes) == 0;
    }

    bool public_key_verifies(std::string_view input, std::string_view signature) const {
        md_ctx_ptr ctx(EVP_MD_CTX_new());
        if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, sha256.get(), nullptr, public_key.get()) != 1)
            fail_internal("cannot start signature verification");
        const int result = EVP_DigestVerify(
            ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
            reinterpret_cast<const unsigned char*>(input.data()), input.size());
        if (result != 1) discard_openssl_errors();
        return result == 1;
    }

    bool signature_matches(std::string_view input, std::string_view signature) const {
        switch (algorithm) {
            case jws_algorithm::hs256:
                return hmac_matches(input, signature);
            case jws_algorithm::rs256:
                return public_key_verifies(input, signature);
            case jws_algorithm::es256: {
                const auto der = p256_signature_to_der(signature);
                return der && public_key_verifies(input, *der);
            }
        }
        return false;
    }

    void check_header(const claim_set& header) const {
        const std::string* alg = header.string("alg");
        if (alg == nullptr) refuse(auth_failure::malformed, "token header has no algorithm (alg)");
        if (*alg != algorithm_name) {
            if (is_registered_jws_algorithm(*alg))
                refuse(
                    auth_failure::algorithm_not_allowed,
                    "token algorithm '" + *alg + "' is not allowed; this server accepts " + algorithm_name);
            refuse(auth_failure::algorithm_not_allowed, "token algorithm is not supported");
        }
        // RFC 7515 §4.1.11: a recipient that does not understand a critical extension must refuse.
        if (header.has("crit"))
            refuse(auth_failure::malformed,
                   "token header has critical extensions (crit) this server does not support");
    }

    verified_token read_claims(const claim_set& claims) const {
        const std::optional<std::int64_t> expires = read_numeric_date(claims, "exp", "expiry (exp)");
        if (!expires) refuse(auth_failure::invalid_claims, "token has no expiry (exp)");
        verified_token result;
        result.principal.expires_at_ms = *expires;
        result.not_before_ms = read_numeric_date(claims, "nbf", "start (nbf)");

        if (issuer) {
            const std::string* iss = claims.string("iss");
            if (iss == nullptr || *iss != *issuer)
                refuse(auth_failure::wrong_issuer, "token issuer (iss) is not accepted");
        }
        if (audience) {
            const claim_value* aud = claims.find("aud");
            if (aud == nullptr || !audience_matches(*aud, *audience))
                refuse(auth_failure::wrong_audience, "token audience (aud) is not accepted");
        }

        const std::string* sub = claims.string("sub");
        if (sub == nullptr || sub->empty())
            refuse(auth_failure::invalid_claims, "token has no subject (sub)");
        if (!is_valid_user_id(*sub))
            refuse(auth_failure::invalid_claims,
                   "token subject (sub) must be 1 to 128 characters without control characters");
        result.principal.user_id = *sub;
        result.principal.name = read_optional_string(claims, "name", *sub);
        result.principal.avatar = read_optional_string(claims, "avatar", {});
        result.principal.role = read_role(claims);
        return result;
    }

    void check_times(const verified_token& token, std::int64_t now_ms) const {
        if (now_ms >= token.principal.expires_at_ms + leeway_ms)
            refuse(auth_failure::expired, "token has expired");
        if (token.not_before_ms && *token.not_before_ms - leeway_ms > now_ms)
            refuse(auth_failure::not_yet_valid, "token is not valid yet (nbf)");
    }
};

token_verifier::token_verifier(verifier_options options) : impl_(std::make_unique<impl>(options)) {}

token_verifier::~token_verifier() = default;
token_verifier::token_verifier(token_verifier&&) noexcept = default;
token_verifier& token_verifier::operator=(token_verifier&&) noexcept = default;

const std::string& token_verifier::algorithm() const { return impl_->algorithm_name; }

principal token_verifier::verify(std::string_view token, std::int64_t now_ms) const {
    const token_parts parts = split(token);
    if (auto cached = impl_->cache.find(token)) {
        impl_->check_times(*cached, now_ms);
        return std::move(cached->principal);
    }

    // The header decides nothing: it is read only to refuse an algorithm other than the
    // configured one before the (possibly expensive) signature check runs with the configured key.
    impl_->check_header(decode_json_part(parts.header, "header"));

    const auto signature = base64url_decode(parts.signature);
    if (!signature || !impl_->signature_matches(parts.signing_input, *signature))
        refuse(auth_failure::bad_signature, "token signature is invalid");

    verified_token verified = impl_->read_claims(decode_json_part(parts.payload, "payload"));
    impl_->check_times(verified, now_ms);
    impl_->cache.insert(token, verified, now_ms, impl_->leeway_ms);
    return std::move(verified.principal);
}

}  // namespace writeen::auth

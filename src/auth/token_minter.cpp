#include "auth/token_minter.hpp"

#include <jwt.h>

#include <cstdlib>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string_view>

#include "auth/principal.hpp"
#include "auth/roles.hpp"
#include "auth/token_verifier.hpp"
#include "auth/utf8.hpp"

namespace writeen::auth {
namespace {

struct jwt_free_deleter {
    void operator()(jwt_t* jwt) const noexcept { jwt_free(jwt); }
};
struct c_string_free {
    void operator()(char* s) const noexcept { std::free(s); }
};

// Claims go through C strings and jansson, which would cut a NUL short or reject invalid UTF-8
// with no explanation; say what is wrong instead.
void require_text(std::string_view value, const char* field) {
    if (value.find('\0') != std::string_view::npos || !utf8_length(value))
        throw std::invalid_argument(std::string("token ") + field + " must be UTF-8 text without NUL bytes");
}

void add_string(jwt_t* jwt, const char* claim, const std::string& value) {
    if (jwt_add_grant(jwt, claim, value.c_str()) != 0)
        throw std::runtime_error(std::string("cannot add claim '") + claim + "' to a token");
}

void add_number(jwt_t* jwt, const char* claim, long value) {
    if (jwt_add_grant_int(jwt, claim, value) != 0)
        throw std::runtime_error(std::string("cannot add claim '") + claim + "' to a token");
}

}  // namespace

std::string mint_token(const mint_options& options) {
    if (options.secret.size() < min_hs256_secret_bytes)
        throw std::invalid_argument("HS256 secret must be at least 32 bytes long");
    if (options.secret.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw std::invalid_argument("HS256 secret is too long");
    if (!is_valid_user_id(options.subject))
        throw std::invalid_argument("token subject must be 1 to 128 characters without control characters");
    if (options.lifetime <= std::chrono::seconds::zero())
        throw std::invalid_argument("token lifetime must be positive");
    require_text(options.name, "name");
    if (options.avatar) require_text(*options.avatar, "avatar");
    if (options.issuer) require_text(*options.issuer, "issuer");
    if (options.audience) require_text(*options.audience, "audience");

    // Year 9999: far beyond any real lifetime, and far from overflowing `long`.
    constexpr std::int64_t latest = 253402300799;
    const std::int64_t issued_at = options.issued_at_ms / 1000;
    if (options.issued_at_ms < 0 || issued_at > latest || options.lifetime.count() > latest - issued_at)
        throw std::invalid_argument("token issue time or lifetime is out of range");
    const std::int64_t expires_at = issued_at + options.lifetime.count();

    jwt_t* raw = nullptr;
    if (jwt_new(&raw) != 0 || raw == nullptr) throw std::runtime_error("cannot allocate a token");
    const std::unique_ptr<jwt_t, jwt_free_deleter> jwt(raw);
    if (jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(options.secret.data()),
                    static_cast<int>(options.secret.size())) != 0)
        throw std::runtime_error("cannot key a token for HS256");

    add_string(jwt.get(), "sub", options.subject);
    if (!options.name.empty()) add_string(jwt.get(), "name", options.name);
    add_string(jwt.get(), "role", std::string(to_string(options.role)));
    if (options.avatar) add_string(jwt.get(), "avatar", *options.avatar);
    if (options.issuer) add_string(jwt.get(), "iss", *options.issuer);
    if (options.audience) add_string(jwt.get(), "aud", *options.audience);
    add_number(jwt.get(), "iat", static_cast<long>(issued_at));
    add_number(jwt.get(), "exp", static_cast<long>(expires_at));

    const std::unique_ptr<char, c_string_free> encoded(jwt_encode_str(jwt.get()));
    if (!encoded) throw std::runtime_error("cannot sign a token");
    return std::string(encoded.get());
}

}  // namespace writeen::auth

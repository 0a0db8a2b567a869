// Bearer tokens from anyone: verification either names a principal or throws auth_error.
// Half the inputs are raw tokens; the other half are a header and a payload the target signs
// with the verifier's key, so the claim checks behind the signature are reached too.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/auth_error.hpp"
#include "auth/base64url.hpp"
#include "auth/token_verifier.hpp"

namespace auth = writeen::auth;

namespace {

constexpr std::string_view secret = "fuzzing-secret-of-at-least-32-bytes!!";
constexpr std::int64_t now_ms = 1'800'000'000'000;  // fixed, so runs are reproducible

std::string signed_token(std::string_view header, std::string_view payload) {
    const std::string input = auth::base64url_encode(header) + "." + auth::base64url_encode(payload);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
    return input + "." + auth::base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), length));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auth::token_verifier verifier(
        {.key = std::string(secret), .issuer = std::string("writeen"), .cache_capacity = 0});
    if (size == 0) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string token;
    if (data[0] & 1) {
        const auto split = rest.find('\n');
        if (split == std::string_view::npos) return 0;
        token = signed_token(rest.substr(0, split), rest.substr(split + 1));
    } else {
        token = std::string(rest);
    }
    try {
        const auto who = verifier.verify(token, now_ms);
        if (who.user_id.empty()) std::abort();  // `sub` is required
    } catch (const auth::auth_error&) {
    }
    return 0;
}

#include "auth/token_minter.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "auth/base64url.hpp"
#include "auth/claim_set.hpp"
#include "auth/token_verifier.hpp"
#include "jwt_test_support.hpp"

namespace writeen::auth {
namespace {

using test::now_ms;
using test::secret;

mint_options options_for(std::string subject) {
    mint_options options;
    options.secret = secret;
    options.subject = std::move(subject);
    options.issued_at_ms = now_ms;
    return options;
}

TEST(mint_token, makes_a_token_the_verifier_accepts_with_the_same_claims) {
    mint_options options = options_for("tutor-7");
    options.name = "Pak Budi";
    options.role = role::tutor;
    options.avatar = "https://cdn.writeen.id/budi.png";
    options.issuer = "writeen-chat";
    options.audience = "writeen";
    const token_verifier verifier(verifier_options{
        .key = secret, .issuer = std::string("writeen-chat"), .audience = std::string("writeen")});

    const principal p = verifier.verify(mint_token(options), now_ms);
    EXPECT_EQ(p.user_id, "tutor-7");
    EXPECT_EQ(p.name, "Pak Budi");
    EXPECT_EQ(p.role, role::tutor);
    EXPECT_EQ(p.avatar, "https://cdn.writeen.id/budi.png");
}

TEST(mint_token, expires_tokens_after_twelve_hours_by_default) {
    const token_verifier verifier(verifier_options{.key = secret, .leeway_seconds = 0});
    const std::string token = mint_token(options_for("u"));
    EXPECT_EQ(verifier.verify(token, now_ms).expires_at_ms, now_ms + std::int64_t{12} * 3600 * 1000);
    EXPECT_THROW(verifier.verify(token, now_ms + std::int64_t{12} * 3600 * 1000), auth_error);
}

TEST(mint_token, honours_a_custom_lifetime) {
    mint_options options = options_for("u");
    options.lifetime = std::chrono::minutes(5);
    const token_verifier verifier(verifier_options{.key = secret});
    EXPECT_EQ(verifier.verify(mint_token(options), now_ms).expires_at_ms,
              now_ms + std::int64_t{5} * 60 * 1000);
}

TEST(mint_token, writes_an_hs256_header_and_iat) {
    const std::string token = mint_token(options_for("u"));
    const auto header = claim_set::parse(*base64url_decode(token.substr(0, token.find('.'))));
    ASSERT_TRUE(header);
    EXPECT_EQ(*header->string("alg"), "HS256");
    const auto first = token.find('.');
    const auto payload =
        claim_set::parse(*base64url_decode(token.substr(first + 1, token.rfind('.') - first - 1)));
    ASSERT_TRUE(payload);
    EXPECT_EQ(std::get<double>(*payload->find("iat")), static_cast<double>(test::now_s));
    EXPECT_FALSE(payload->has("name"));  // empty name: left out, so verifiers fall back to sub
}

TEST(mint_token, escapes_text_claims_as_json) {
    mint_options options = options_for("user \"quoted\"");
    options.name = "Ana\\Bel\n\xC3\xA9";
    const principal p = token_verifier(verifier_options{.key = secret}).verify(mint_token(options), now_ms);
    EXPECT_EQ(p.user_id, "user \"quoted\"");
    EXPECT_EQ(p.name, "Ana\\Bel\n\xC3\xA9");
}

TEST(mint_token, refuses_a_secret_shorter_than_32_bytes) {
    mint_options options = options_for("u");
    options.secret = std::string(31, 's');
    EXPECT_THROW(mint_token(options), std::invalid_argument);
}

TEST(mint_token, refuses_a_subject_that_is_not_a_valid_user_id) {
    EXPECT_THROW(mint_token(options_for("")), std::invalid_argument);
    EXPECT_THROW(mint_token(options_for(std::string(129, 'a'))), std::invalid_argument);
    EXPECT_THROW(mint_token(options_for("bad\xFF")), std::invalid_argument);
}

TEST(mint_token, refuses_a_lifetime_that_is_not_positive) {
    mint_options options = options_for("u");
    options.lifetime = std::chrono::seconds(0);
    EXPECT_THROW(mint_token(options), std::invalid_argument);
}

TEST(mint_token, refuses_text_with_a_nul_byte) {
    mint_options options = options_for("u");
    options.name = std::string("a\0b", 3);
    EXPECT_THROW(mint_token(options), std::invalid_argument);
}

}  // namespace
}  // namespace writeen::auth

#include "auth/token_verifier.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "jwt_test_support.hpp"

namespace writeen::auth {
namespace {

using test::hs256;
using test::now_ms;
using test::now_s;
using test::secret;
using test::sign_hmac;

// `"exp":<now + seconds>`, to splice into a payload.
std::string exp_in(std::int64_t seconds) { return R"("exp":)" + std::to_string(now_s + seconds); }

// A payload with a subject, expiring in an hour, plus `extra` members.
std::string payload(const std::string& extra = {}) {
    return R"({"sub":"user-1",)" + exp_in(3600) + (extra.empty() ? "" : "," + extra) + "}";
}

token_verifier hs256_verifier() { return token_verifier(verifier_options{.key = secret}); }

// The reason `verifier` refuses `token` at `at_ms`; fails the test when it is accepted.
auth_failure refusal(const token_verifier& verifier, std::string_view token, std::int64_t at_ms = now_ms) {
    try {
        verifier.verify(token, at_ms);
    } catch (const auth_error& e) {
        return e.reason();
    }
    ADD_FAILURE() << "token was accepted: " << token;
    return auth_failure::malformed;
}

TEST(token_verifier, accepts_a_valid_hs256_token_and_maps_its_claims) {
    const auto token =
        hs256(R"({"sub":"u-42","name":"Siti Rahma","role":"tutor","avatar":"https://cdn.writeen.id/a.png",)" +
              exp_in(3600) + "}");
    const principal p = hs256_verifier().verify(token, now_ms);
    EXPECT_EQ(p.user_id, "u-42");
    EXPECT_EQ(p.name, "Siti Rahma");
    EXPECT_EQ(p.role, role::tutor);
    EXPECT_EQ(p.avatar, "https://cdn.writeen.id/a.png");
    EXPECT_EQ(p.expires_at_ms, (now_s + 3600) * 1000);
}

TEST(token_verifier, uses_sub_as_name_and_student_as_role_when_the_token_has_neither) {
    const principal p = hs256_verifier().verify(hs256(payload()), now_ms);
    EXPECT_EQ(p.name, "user-1");
    EXPECT_EQ(p.role, role::student);
    EXPECT_EQ(p.avatar, "");
}

TEST(token_verifier, treats_null_optional_claims_as_absent) {
    const principal p = hs256_verifier().verify(
        hs256(payload(R"("name":null,"role":null,"avatar":null,"nbf":null)")), now_ms);
    EXPECT_EQ(p.name, "user-1");
    EXPECT_EQ(p.role, role::student);
    EXPECT_EQ(p.avatar, "");
}

TEST(token_verifier, accepts_every_known_role) {
    const auto verifier = hs256_verifier();
    for (const auto& [name, expected] :
         {std::pair{"student", role::student}, std::pair{"tutor", role::tutor},
          std::pair{"admin", role::admin}, std::pair{"service", role::service}}) {
        const auto p = verifier.verify(hs256(payload(std::string(R"("role":")") + name + "\"")), now_ms);
        EXPECT_EQ(p.role, expected) << name;
    }
}

TEST(token_verifier, rejects_an_unknown_role) {
    const auto verifier = hs256_verifier();
    EXPECT_EQ(refusal(verifier, hs256(payload(R"("role":"superuser")"))), auth_failure::invalid_claims);
    EXPECT_EQ(refusal(verifier, hs256(payload(R"("role":"Admin")"))), auth_failure::invalid_claims);
    EXPECT_EQ(refusal(verifier, hs256(payload(R"("role":"")"))), auth_failure::invalid_claims);
    EXPECT_EQ(refusal(verifier, hs256(payload(R"("role":["admin"])"))), auth_failure::invalid_claims);
}

TEST(token_verifier, rejects_a_name_or_avatar_that_is_not_a_string) {
    const auto verifier = hs256_verifier();
    EXPECT_EQ(refusal(verifier, hs256(payload(R"("name":42)"))), auth_failure::invalid_claims);
    EXPECT_EQ(refusal(verifier, hs256(payload(R"("avatar":{"url":"x"})"))), auth_failure::invalid_claims);
}

TEST(token_verifier, accepts_a_token_expired_by_less_than_the_leeway) {
    const auto token = hs256(R"({"sub":"u",)" + exp_in(-59) + "}");
    EXPECT_EQ(hs256_verifier().verify(token, now_ms).user_id, "u");
}

TEST(token_verifier, rejects_a_token_expired_beyond_the_leeway) {
    EXPECT_EQ(refusal(hs256_verifier(), hs256(R"({"sub":"u",)" + exp_in(-61) + "}")), auth_failure::expired);
}

TEST(token_verifier, rejects_a_token_at_the_exact_end_of_the_leeway) {
    EXPECT_EQ(refusal(hs256_verifier(), hs256(R"({"sub":"u",)" + exp_in(-60) + "}")), auth_failure::expired);
}

TEST(token_verifier, honours_a_configured_leeway_of_zero) {
    const token_verifier strict(verifier_options{.key = secret, .leeway_seconds = 0});
    EXPECT_EQ(refusal(strict, hs256(R"({"sub":"u",)" + exp_in(-1) + "}")), auth_failure::expired);
}

TEST(token_verifier, rejects_a_token_without_exp) {
    EXPECT_EQ(refusal(hs256_verifier(), hs256(R"({"sub":"u"})")), auth_failure::invalid_claims);
    EXPECT_EQ(refusal(hs256_verifier(), hs256(R"({"sub":"u","exp":null})")), auth_failure::invalid_claims);
}

TEST(token_verifier, rejects_an_exp_that_is_not_a_number) {
    const auto token = hs256(R"({"sub":"u","exp":")" + std::to_string(now_s + 3600) + "\"}");
    EXPECT_EQ(refusal(hs256_verifier(), token), auth_failure::invalid_claims);
}

TEST(token_verifier, accepts_a_fractional_exp) {
    const auto token = hs256(R"({"sub":"u","exp":)" + std::to_string(now_s + 10) + ".5}");
    EXPECT_EQ(hs256_verifier().verify(token, now_ms).expires_at_ms, (now_s + 10) * 1000 + 500);
}

TEST(token_verifier, rejects_a_token_whose_nbf_is_in_the_future_beyond_the_leeway) {
    const auto token = hs256(payload(R"("nbf":)" + std::to_string(now_s + 61)));
    EXPECT_EQ(refusal(hs256_verifier(), token), auth_failure::not_yet_valid);
}

TEST(token_verifier, accepts_a_token_whose_nbf_is_in_the_future_within_the_leeway) {
    const auto token = hs256(payload(R"("nbf":)" + std::to_string(now_s + 30)));
    EXPECT_EQ(hs256_verifier().verify(token, now_ms).user_id, "user-1");
}

TEST(token_verifier, rejects_a_token_signed_with_another_secret) {
    const auto token = sign_hmac(test::hs256_header, payload(), "another-secret-of-at-least-32-bytes!");
    EXPECT_EQ(refusal(hs256_verifier(), token), auth_failure::bad_signature);
}

TEST(token_verifier, rejects_a_token_whose_payload_was_changed_after_signing) {
    const auto genuine = hs256(payload());
    const auto forged_payload = test::b64url(R"({"sub":"user-1","role":"admin",)" + exp_in(3600) + "}");
    const auto first = genuine.find('.');
    const auto second = genuine.find('.', first + 1);
    const auto forged = genuine.substr(0, first + 1) + forged_payload + genuine.substr(second);
    EXPECT_EQ(refusal(hs256_verifier(), forged), auth_failure::bad_signature);
}

TEST(token_verifier, rejects_a_token_whose_signature_is_truncated_or_missing) {
    const auto token = hs256(payload());
    const auto verifier = hs256_verifier();
    EXPECT_EQ(refusal(verifier, token.substr(0, token.rfind('.') + 1)), auth_failure::bad_signature);
    EXPECT_EQ(refusal(verifier, token.substr(0, token.size() - 4)), auth_failure::bad_signature);
}

TEST(token_verifier, rejects_an_alg_none_token_however_it_is_signed) {
    const std::string none_header = test::b64url(R"({"alg":"none","typ":"JWT"})");
    const std::string body = test::b64url(payload());
    const auto verifier = hs256_verifier();
    EXPECT_EQ(refusal(verifier, none_header + "." + body + "."), auth_failure::algorithm_not_allowed);
    // Even carrying the valid HS256 signature of the same payload.
    const auto genuine = hs256(payload());
    EXPECT_EQ(refusal(verifier, none_header + "." + body + genuine.substr(genuine.rfind('.'))),
              auth_failure::algorithm_not_allowed);
    const std::string none_upper = test::b64url(R"({"alg":"None"})");
    EXPECT_EQ(refusal(verifier, none_upper + "." + body + "."), auth_failure::algorithm_not_allowed);
}

TEST(token_verifier, rejects_hs384_and_hs512_tokens_when_hs256_is_configured) {
    const auto verifier = hs256_verifier();
    const auto hs384 = sign_hmac(R"({"alg":"HS384","typ":"JWT"})", payload(), secret, EVP_sha384());
    const auto hs512 = sign_hmac(R"({"alg":"HS512","typ":"JWT"})", payload(), secret, EVP_sha512());
    EXPECT_EQ(refusal(verifier, hs384), auth_failure::algorithm_not_allowed);
    EXPECT_EQ(refusal(verifier, hs512), auth_failure::algorithm_not_allowed);
    const std::string long_secret(64, 'k');
    const token_verifier long_verifier(verifier_options{.key = long_secret});
    EXPECT_EQ(refusal(long_verifier, test::libjwt_sign(JWT_ALG_HS512, long_secret, payload())),
              auth_failure::algorithm_not_allowed);
}

TEST(token_verifier, rejects_a_header_without_alg_or_with_critical_extensions) {
    const auto verifier = hs256_verifier();
    EXPECT_EQ(refusal(verifier, sign_hmac(R"({"typ":"JWT"})", payload())), auth_failure::malformed);
    EXPECT_EQ(refusal(verifier, sign_hmac(R"({"alg":"HS256","crit":["exp"]})", payload())),
              auth_failure::malformed);
}

TEST(token_verifier, accepts_an_rs256_token_signed_with_the_matching_private_key) {
    const token_verifier verifier(verifier_options{.algorithm = "RS256", .key = test::rsa_2048().public_pem});
    const auto token = test::libjwt_sign(JWT_ALG_RS256, test::rsa_2048().private_pem,
                                         R"({"sub":"svc","role":"service",)" + exp_in(600) + "}");
    const principal p = verifier.verify(token, now_ms);
    EXPECT_EQ(p.user_id, "svc");
    EXPECT_EQ(p.role, role::service);
}

TEST(token_verifier, rejects_an_rs256_token_signed_with_another_private_key) {
    const token_verifier verifier(verifier_options{.algorithm = "RS256", .key = test::rsa_2048().public_pem});
    const auto other = test::generate_rsa(2048);
    EXPECT_EQ(refusal(verifier, test::libjwt_sign(JWT_ALG_RS256, other.private_pem, payload())),
              auth_failure::bad_signature);
}

TEST(token_verifier, rejects_an_hs256_token_keyed_with_the_rs256_public_key) {
    // Key confusion: a verifier that let the header pick the algorithm would use the public
    // PEM, which anyone has, as an HMAC secret.
    const std::string& public_pem = test::rsa_2048().public_pem;
    const token_verifier verifier(verifier_options{.algorithm = "RS256", .key = public_pem});
    EXPECT_EQ(refusal(verifier, sign_hmac(test::hs256_header, payload(), public_pem)),
              auth_failure::algorithm_not_allowed);
    EXPECT_EQ(refusal(verifier, test::libjwt_sign(JWT_ALG_HS256, public_pem, payload())),
              auth_failure::algorithm_not_allowed);
}

TEST(token_verifier, accepts_an_es256_token_and_rejects_one_from_another_key) {
    const token_verifier verifier(verifier_options{.algorithm = "ES256", .key = test::p256().public_pem});
    const auto token = test::libjwt_sign(JWT_ALG_ES256, test::p256().private_pem, payload());
    EXPECT_EQ(verifier.verify(token, now_ms).user_id, "user-1");
    const auto other = test::generate_ec("P-256");
    EXPECT_EQ(refusal(verifier, test::libjwt_sign(JWT_ALG_ES256, other.private_pem, payload())),
              auth_failure::bad_signature);
}

TEST(token_verifier, rejects_an_es256_token_whose_signature_is_der_rather_than_r_and_s) {
    const token_verifier verifier(verifier_options{.algorithm = "ES256", .key = test::p256().public_pem});
    const auto token = test::libjwt_sign(JWT_ALG_ES256, test::p256().private_pem, payload());
    const auto dot = token.rfind('.');
    // 70 bytes: the length of a typical DER signature, not the 64 of R || S.
    EXPECT_EQ(refusal(verifier, token.substr(0, dot + 1) + test::b64url(std::string(70, '\x30'))),
              auth_failure::bad_signature);
}

TEST(token_verifier, checks_the_issuer_when_one_is_configured) {
    const token_verifier verifier(verifier_options{.key = secret, .issuer = "https://writeen.id"});
    EXPECT_EQ(verifier.verify(hs256(payload(R"("iss":"https://writeen.id")")), now_ms).user_id, "user-1");
    EXPECT_EQ(refusal(verifier, hs256(payload(R"("iss":"https://evil.example")"))),
              auth_failure::wrong_issuer);
    EXPECT_EQ(refusal(verifier, hs256(payload())), auth_failure::wrong_issuer);
    // Without a configured issuer any iss passes.
    EXPECT_EQ(hs256_verifier().verify(hs256(payload(R"("iss":"anyone")")), now_ms).user_id, "user-1");
}

TEST(token_verifier, checks_the_audience_as_a_string_or_an_array_when_one_is_configured) {
    const token_verifier verifier(verifier_options{.key = secret, .audience = "writeen-chat"});
    EXPECT_NO_THROW(verifier.verify(hs256(payload(R"("aud":"writeen-chat")")), now_ms));
    EXPECT_NO_THROW(verifier.verify(hs256(payload(R"("aud":["writeen-web","writeen-chat"])")), now_ms));
    EXPECT_EQ(refusal(verifier, hs256(payload(R"("aud":"writeen-web")"))), auth_failure::wrong_audience);
    EXPECT_EQ(refusal(verifier, hs256(payload(R"("aud":["writeen-web"])"))), auth_failure::wrong_audience);
    EXPECT_EQ(refusal(verifier, hs256(payload(R"("aud":[])"))), auth_failure::wrong_audience);
    EXPECT_EQ(refusal(verifier, hs256(payload())), auth_failure::wrong_audience);
}

TEST(token_verifier, rejects_a_missing_empty_or_non_string_subject) {
    const auto verifier = hs256_verifier();
    EXPECT_EQ(refusal(verifier, hs256("{" + exp_in(3600) + "}")), auth_failure::invalid_claims);
    EXPECT_EQ(refusal(verifier, hs256(R"({"sub":"",)" + exp_in(3600) + "}")), auth_failure::invalid_claims);
    EXPECT_EQ(refusal(verifier, hs256(R"({"sub":42,)" + exp_in(3600) + "}")), auth_failure::invalid_claims);
}

TEST(token_verifier, accepts_a_subject_of_128_characters_and_rejects_129) {
    const auto verifier = hs256_verifier();
    const std::string ok(128, 'a');
    EXPECT_EQ(verifier.verify(hs256(R"({"sub":")" + ok + "\"," + exp_in(3600) + "}"), now_ms).user_id, ok);
    const std::string too_long(129, 'a');
    EXPECT_EQ(refusal(verifier, hs256(R"({"sub":")" + too_long + "\"," + exp_in(3600) + "}")),
              auth_failure::invalid_claims);
}

TEST(token_verifier, counts_subject_length_in_characters_not_bytes) {
    std::string multibyte;
    for (int i = 0; i < 128; ++i) multibyte += "\xC3\xA9";  // é, two bytes each
    const auto p =
        hs256_verifier().verify(hs256(R"({"sub":")" + multibyte + "\"," + exp_in(3600) + "}"), now_ms);
    EXPECT_EQ(p.user_id, multibyte);
}

TEST(token_verifier, rejects_a_subject_with_control_characters) {
    EXPECT_EQ(refusal(hs256_verifier(), hs256(R"({"sub":"a\nb",)" + exp_in(3600) + "}")),
              auth_failure::invalid_claims);
}

TEST(token_verifier, decodes_json_escapes_in_claims) {
    const auto p =
        hs256_verifier().verify(hs256(payload(R"("name":"Bu \"Ani\" \u00e9\ud83d\ude00")")), now_ms);
    EXPECT_EQ(p.name, "Bu \"Ani\" \xC3\xA9\xF0\x9F\x98\x80");
}

TEST(token_verifier, rejects_malformed_tokens_without_crashing) {
    const auto verifier = hs256_verifier();
    const std::string header = test::b64url(test::hs256_header);
    for (const std::string& token : {
             std::string(),
             std::string("a.b"),
             std::string("a.b.c.d"),
             std::string(".."),
             std::string("..."),
             std::string("!!!.###.$$$"),
             std::string("eyJ.eyJ.sig"),
             header + ".%%%%.abc",
             header + "." + test::b64url(payload()) + ".a",
             header + "=." + test::b64url(payload()) + ".abcd",
             test::b64url("not json") + "." + test::b64url("also not json") + ".c2ln",
             test::b64url("[1,2]") + "." + test::b64url(payload()) + ".c2ln",
             test::b64url(R"({"alg":"HS256"} trailing)") + "." + test::b64url(payload()) + ".c2ln",
             std::string(max_token_bytes + 1, 'a'),
             std::string("\0.\0.\0", 5),
         }) {
        EXPECT_THROW(verifier.verify(token, now_ms), auth_error) << token;
    }
}

TEST(token_verifier, rejects_a_correctly_signed_payload_that_is_not_a_json_object) {
    const auto verifier = hs256_verifier();
    EXPECT_EQ(refusal(verifier, hs256("not json")), auth_failure::malformed);
    EXPECT_EQ(refusal(verifier, hs256(R"(["sub","u"])")), auth_failure::malformed);
    EXPECT_EQ(refusal(verifier, hs256(R"({"sub":"u","sub":"admin",)" + exp_in(3600) + "}")),
              auth_failure::malformed);
    EXPECT_EQ(refusal(verifier, hs256("")), auth_failure::malformed);
}

TEST(token_verifier, never_puts_the_secret_or_the_token_in_its_messages) {
    const auto verifier = hs256_verifier();
    const std::string bad = sign_hmac(test::hs256_header, payload(), "another-secret-of-at-least-32-bytes!");
    for (const std::string& token :
         {bad, hs256(R"({"sub":"u",)" + exp_in(-3600) + "}"), std::string("x.y.z")}) {
        try {
            verifier.verify(token, now_ms);
            ADD_FAILURE() << "accepted";
        } catch (const auth_error& e) {
            const std::string message = e.what();
            EXPECT_FALSE(message.empty());
            EXPECT_EQ(message.find(secret), std::string::npos);
            EXPECT_EQ(message.find(token), std::string::npos);
        }
    }
}

TEST(token_verifier, does_not_echo_an_unregistered_algorithm_name) {
    try {
        hs256_verifier().verify(sign_hmac(R"({"alg":"<script>"})", payload()), now_ms);
        ADD_FAILURE() << "accepted";
    } catch (const auth_error& e) {
        EXPECT_EQ(std::string(e.what()).find("<script>"), std::string::npos);
    }
}

TEST(token_verifier, still_expires_a_token_it_has_already_verified) {
    const auto verifier = hs256_verifier();
    const auto token = hs256(R"({"sub":"u",)" + exp_in(600) + "}");
    EXPECT_EQ(verifier.verify(token, now_ms).user_id, "u");
    EXPECT_EQ(verifier.verify(token, now_ms + 1000).user_id, "u");
    EXPECT_EQ(refusal(verifier, token, now_ms + 3'600'000), auth_failure::expired);
}

TEST(token_verifier, still_honours_nbf_of_a_token_it_has_already_verified) {
    const auto verifier = hs256_verifier();
    const auto token = hs256(payload(R"("nbf":)" + std::to_string(now_s)));
    EXPECT_EQ(verifier.verify(token, now_ms).user_id, "user-1");
    EXPECT_EQ(refusal(verifier, token, now_ms - 3'600'000), auth_failure::not_yet_valid);
}

TEST(token_verifier, gives_the_same_answer_with_the_cache_disabled) {
    const token_verifier uncached(verifier_options{.key = secret, .cache_capacity = 0});
    const auto token = hs256(payload(R"("role":"admin")"));
    for (int i = 0; i < 3; ++i) EXPECT_EQ(uncached.verify(token, now_ms).role, role::admin);
    EXPECT_EQ(refusal(uncached, token, now_ms + 7'200'000), auth_failure::expired);
}

TEST(token_verifier, verifies_from_many_threads_at_once) {
    const auto verifier = hs256_verifier();
    std::vector<std::string> tokens;
    tokens.reserve(16);
    for (int i = 0; i < 16; ++i)
        tokens.push_back(hs256(R"({"sub":"u)" + std::to_string(i) + "\"," + exp_in(600) + "}"));
    const std::string forged =
        sign_hmac(test::hs256_header, payload(), "another-secret-of-at-least-32-bytes!");
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    threads.reserve(4);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 200; ++round) {
                const int i = (round + t) % 16;
                if (verifier.verify(tokens[i], now_ms).user_id != "u" + std::to_string(i)) ++wrong;
                try {
                    verifier.verify(forged, now_ms);
                    ++wrong;
                } catch (const auth_error&) {
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(wrong.load(), 0);
}

TEST(token_verifier, refuses_an_hs256_secret_shorter_than_32_bytes) {
    EXPECT_THROW(token_verifier(verifier_options{.key = std::string(31, 's')}), std::invalid_argument);
    EXPECT_THROW(token_verifier(verifier_options{.key = ""}), std::invalid_argument);
    EXPECT_NO_THROW(token_verifier(verifier_options{.key = std::string(32, 's')}));
}

TEST(token_verifier, refuses_an_algorithm_it_does_not_support) {
    for (const char* alg : {"none", "HS384", "RS512", "hs256", ""})
        EXPECT_THROW(token_verifier(verifier_options{.algorithm = alg, .key = secret}), std::invalid_argument)
            << alg;
}

TEST(token_verifier, refuses_a_public_key_that_does_not_parse_or_fit_the_algorithm) {
    EXPECT_THROW(token_verifier(verifier_options{.algorithm = "RS256", .key = "not a pem"}),
                 std::invalid_argument);
    EXPECT_THROW(token_verifier(verifier_options{.algorithm = "RS256", .key = test::rsa_2048().private_pem}),
                 std::invalid_argument);
    EXPECT_THROW(token_verifier(verifier_options{.algorithm = "RS256", .key = test::p256().public_pem}),
                 std::invalid_argument);
    EXPECT_THROW(
        token_verifier(verifier_options{.algorithm = "RS256", .key = test::generate_rsa(1024).public_pem}),
        std::invalid_argument);
    EXPECT_THROW(token_verifier(verifier_options{.algorithm = "ES256", .key = test::rsa_2048().public_pem}),
                 std::invalid_argument);
    EXPECT_THROW(
        token_verifier(verifier_options{.algorithm = "ES256", .key = test::generate_ec("P-384").public_pem}),
        std::invalid_argument);
}

TEST(token_verifier, refuses_a_negative_leeway) {
    EXPECT_THROW(token_verifier(verifier_options{.key = secret, .leeway_seconds = -1}),
                 std::invalid_argument);
}

}  // namespace
}  // namespace writeen::auth

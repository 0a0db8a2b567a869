#include "notify/web_push_encryption.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "notify_test_support.hpp"

namespace writeen::notify {
namespace {

using test::b64url_decode;

// RFC 8291 Appendix A (the example of §5), values as published.
constexpr std::string_view rfc_plaintext = "When I grow up, I want to be a watermelon";
constexpr std::string_view rfc_ua_public =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
constexpr std::string_view rfc_auth_secret = "BTBZMqHH6r4Tts7J_aSIgg";
constexpr std::string_view rfc_as_private = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
constexpr std::string_view rfc_as_public =
    "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
constexpr std::string_view rfc_salt = "DGv6ra1nlYgDCS1FRnbzlw";
constexpr std::string_view rfc_body =
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml"
    "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT"
    "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

constexpr std::size_t header_size = 86;
constexpr std::size_t overhead = header_size + 1 + 16;

std::string encrypt_rfc(std::string_view p256dh, std::string_view auth) {
    return encrypt_push_message(rfc_plaintext, p256dh, auth, b64url_decode(rfc_as_private),
                                b64url_decode(rfc_salt));
}

unsigned read_be32(std::string_view s) {
    unsigned v = 0;
    for (char c : s) v = (v << 8) | static_cast<unsigned char>(c);
    return v;
}

TEST(web_push_encryption, reproduces_the_rfc_8291_appendix_a_body_byte_for_byte) {
    EXPECT_EQ(encrypt_rfc(rfc_ua_public, rfc_auth_secret), b64url_decode(rfc_body));
}

TEST(web_push_encryption, puts_salt_record_size_and_the_ephemeral_key_in_the_header) {
    const std::string body = encrypt_rfc(rfc_ua_public, rfc_auth_secret);
    ASSERT_EQ(body.size(), rfc_plaintext.size() + overhead);
    EXPECT_EQ(body.substr(0, 16), b64url_decode(rfc_salt));
    EXPECT_EQ(read_be32(body.substr(16, 4)), 4096u);
    EXPECT_EQ(static_cast<unsigned char>(body[20]), 65u);
    EXPECT_EQ(body.substr(21, 65), b64url_decode(rfc_as_public));
}

TEST(web_push_encryption, uses_a_fresh_salt_and_ephemeral_key_for_every_message) {
    const std::string first = encrypt_push_message(rfc_plaintext, rfc_ua_public, rfc_auth_secret);
    const std::string second = encrypt_push_message(rfc_plaintext, rfc_ua_public, rfc_auth_secret);
    ASSERT_EQ(first.size(), rfc_plaintext.size() + overhead);
    ASSERT_EQ(second.size(), first.size());
    EXPECT_NE(first.substr(0, 16), second.substr(0, 16));
    EXPECT_NE(first.substr(21, 65), second.substr(21, 65));
    EXPECT_EQ(read_be32(first.substr(16, 4)), 4096u);
    EXPECT_EQ(static_cast<unsigned char>(first[20]), 65u);
    // The keyid is a real P-256 point the browser can agree a key with.
    EXPECT_TRUE(test::import_p256_point(first.substr(21, 65)));
}

TEST(web_push_encryption, fills_exactly_4096_bytes_with_the_largest_payload) {
    const std::string largest(max_push_plaintext_size, 'x');
    EXPECT_EQ(encrypt_push_message(largest, rfc_ua_public, rfc_auth_secret).size(), 4096u);
    EXPECT_EQ(encrypt_push_message("", rfc_ua_public, rfc_auth_secret).size(), overhead);
}

TEST(web_push_encryption, refuses_a_payload_that_would_not_fit_in_4096_bytes) {
    const std::string too_big(max_push_plaintext_size + 1, 'x');
    EXPECT_THROW(encrypt_push_message(too_big, rfc_ua_public, rfc_auth_secret), std::invalid_argument);
    EXPECT_THROW(encrypt_push_message(std::string(64 * 1024, 'x'), rfc_ua_public, rfc_auth_secret),
                 std::invalid_argument);
}

TEST(web_push_encryption, refuses_a_p256dh_that_is_not_an_uncompressed_point_on_the_curve) {
    const std::string point = b64url_decode(rfc_ua_public);
    std::string off_curve = point;
    off_curve[64] = static_cast<char>(off_curve[64] ^ 1);
    std::string compressed = point.substr(0, 33);
    compressed[0] = 0x02;
    const std::string cases[] = {
        "",
        std::string(rfc_ua_public) + "=",                  // padded
        std::string(rfc_ua_public.substr(0, 20)) + "+/" +  // standard alphabet
            std::string(rfc_ua_public.substr(22)),
        std::string(rfc_ua_public.substr(0, 40)) + " " + std::string(rfc_ua_public.substr(40)),
        test::b64url(point.substr(0, 64)),  // one byte short
        test::b64url(point + "A"),          // one byte long
        test::b64url(compressed),
        test::b64url(off_curve),
        test::b64url(std::string(65, '\0')),
        test::b64url("\x04" + std::string(64, '\0')),
    };
    for (const std::string& p256dh : cases)
        EXPECT_THROW(encrypt_push_message("hi", p256dh, rfc_auth_secret), std::invalid_argument) << p256dh;
}

TEST(web_push_encryption, refuses_an_auth_secret_that_is_not_16_bytes_of_base64url) {
    const std::string secret = b64url_decode(rfc_auth_secret);
    for (const std::string& auth :
         {std::string(), test::b64url(secret.substr(0, 15)), test::b64url(secret + "x"),
          std::string(rfc_auth_secret) + "==", std::string("BTBZMqHH6r4Tts7J/aSIgg")})
        EXPECT_THROW(encrypt_push_message("hi", rfc_ua_public, auth), std::invalid_argument) << auth;
}

TEST(web_push_encryption, refuses_an_explicit_ephemeral_key_or_salt_of_the_wrong_form) {
    const std::string key = b64url_decode(rfc_as_private);
    const std::string salt = b64url_decode(rfc_salt);
    const std::string bad_keys[] = {key.substr(0, 31), key + "x", std::string(32, '\0'),
                                    std::string(32, '\xFF')};
    for (const std::string& bad : bad_keys)
        EXPECT_THROW(encrypt_push_message("hi", rfc_ua_public, rfc_auth_secret, bad, salt),
                     std::invalid_argument);
    EXPECT_THROW(encrypt_push_message("hi", rfc_ua_public, rfc_auth_secret, key, salt.substr(0, 15)),
                 std::invalid_argument);
}

}  // namespace
}  // namespace writeen::notify

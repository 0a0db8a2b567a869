#include "auth/base64url.hpp"

#include <gtest/gtest.h>

#include <string>

namespace writeen::auth {
namespace {

TEST(base64url, encodes_the_rfc_4648_vectors_without_padding) {
    EXPECT_EQ(base64url_encode(""), "");
    EXPECT_EQ(base64url_encode("f"), "Zg");
    EXPECT_EQ(base64url_encode("fo"), "Zm8");
    EXPECT_EQ(base64url_encode("foo"), "Zm9v");
    EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
    EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
    EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
}

TEST(base64url, uses_the_url_safe_alphabet) {
    EXPECT_EQ(base64url_encode("\xFB\xFF\xBF"), "-_-_");
    EXPECT_EQ(*base64url_decode("-_-_"), "\xFB\xFF\xBF");
}

TEST(base64url, decodes_what_it_encodes) {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    for (std::size_t n = 0; n <= all.size(); n += 37) {
        const std::string bytes = all.substr(0, n);
        EXPECT_EQ(base64url_decode(base64url_encode(bytes)), bytes);
    }
}

TEST(base64url, refuses_padding_whitespace_and_the_standard_alphabet) {
    for (const char* text : {"Zg==", "Zm8=", "Zm 9v", "Zm9v\n", "+/+/", "Zm9v!"})
        EXPECT_FALSE(base64url_decode(text)) << text;
}

TEST(base64url, refuses_an_impossible_length) { EXPECT_FALSE(base64url_decode("Zm9vY")); }

TEST(base64url, refuses_non_zero_bits_after_the_last_byte) {
    EXPECT_TRUE(base64url_decode("Zg"));
    EXPECT_FALSE(base64url_decode("Zh"));  // same byte 'f' with a stray low bit
    EXPECT_FALSE(base64url_decode("Zm9"));
}

}  // namespace
}  // namespace writeen::auth

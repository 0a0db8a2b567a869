#include "auth/origin_policy.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace writeen::auth {
namespace {

const origin_policy writeen_origins("http://localhost:8080, https://app.writeen.id");

TEST(origin_policy, allows_a_listed_origin) {
    EXPECT_TRUE(writeen_origins.allows("http://localhost:8080"));
    EXPECT_TRUE(writeen_origins.allows("https://app.writeen.id"));
}

TEST(origin_policy, allows_a_request_without_an_origin) {
    EXPECT_TRUE(writeen_origins.allows(""));
    EXPECT_TRUE(writeen_origins.allows("  "));
}

TEST(origin_policy, refuses_an_origin_that_is_not_listed) {
    EXPECT_FALSE(writeen_origins.allows("https://evil.example"));
    EXPECT_FALSE(writeen_origins.allows("https://app.writeen.id.evil.example"));
    EXPECT_FALSE(writeen_origins.allows("https://writeen.id"));
}

TEST(origin_policy, compares_scheme_and_host_without_regard_to_case) {
    EXPECT_TRUE(writeen_origins.allows("HTTPS://App.Writeen.ID"));
    EXPECT_TRUE(writeen_origins.allows("http://LOCALHOST:8080"));
}

TEST(origin_policy, requires_the_exact_port) {
    EXPECT_FALSE(writeen_origins.allows("http://localhost:8081"));
    EXPECT_FALSE(writeen_origins.allows("http://localhost"));
    EXPECT_FALSE(writeen_origins.allows("https://app.writeen.id:8443"));
}

TEST(origin_policy, treats_a_default_port_as_the_same_origin) {
    EXPECT_TRUE(writeen_origins.allows("https://app.writeen.id:443"));
    const origin_policy with_port("https://app.writeen.id:443");
    EXPECT_TRUE(with_port.allows("https://app.writeen.id"));
}

TEST(origin_policy, distinguishes_schemes) {
    EXPECT_FALSE(writeen_origins.allows("http://app.writeen.id"));
    EXPECT_FALSE(writeen_origins.allows("https://localhost:8080"));
}

TEST(origin_policy, refuses_the_opaque_null_origin_and_anything_that_is_not_an_origin) {
    EXPECT_FALSE(writeen_origins.allows("null"));
    EXPECT_FALSE(writeen_origins.allows("https://app.writeen.id/"));
    EXPECT_FALSE(writeen_origins.allows("https://app.writeen.id/path"));
    EXPECT_FALSE(writeen_origins.allows("https://user@app.writeen.id"));
    EXPECT_FALSE(writeen_origins.allows("app.writeen.id"));
    EXPECT_FALSE(writeen_origins.allows("http://localhost:8080 http://x"));
}

TEST(origin_policy, allows_every_origin_with_a_star) {
    const origin_policy any("*");
    EXPECT_TRUE(any.allows_any());
    EXPECT_TRUE(any.allows("https://anything.example:1234"));
    EXPECT_TRUE(any.allows("null"));
    EXPECT_TRUE(any.allows(""));
    EXPECT_TRUE(origin_policy("https://a.example, *").allows("https://b.example"));
}

TEST(origin_policy, allows_only_clients_without_an_origin_when_the_list_is_empty) {
    const origin_policy none("");
    EXPECT_FALSE(none.allows_any());
    EXPECT_TRUE(none.allows(""));
    EXPECT_FALSE(none.allows("http://localhost:8080"));
}

TEST(origin_policy, accepts_a_trailing_slash_and_blank_entries_in_the_list) {
    const origin_policy policy("https://app.writeen.id/ ,, http://[::1]:3000");
    EXPECT_TRUE(policy.allows("https://app.writeen.id"));
    EXPECT_TRUE(policy.allows("http://[::1]:3000"));
    EXPECT_FALSE(policy.allows("http://[::1]:3001"));
}

TEST(origin_policy, refuses_a_list_entry_that_is_not_an_origin) {
    EXPECT_THROW(origin_policy("localhost:8080"), std::invalid_argument);
    EXPECT_THROW(origin_policy("https://app.writeen.id/path"), std::invalid_argument);
    EXPECT_THROW(origin_policy("https://app.writeen.id:99999"), std::invalid_argument);
    EXPECT_THROW(origin_policy("https://"), std::invalid_argument);
}

}  // namespace
}  // namespace writeen::auth

#include "auth/verified_token_cache.hpp"

#include <gtest/gtest.h>

#include <string>

namespace writeen::auth {
namespace {

verified_token entry(std::string user, std::int64_t expires_at_ms) {
    verified_token t;
    t.principal.user_id = std::move(user);
    t.principal.expires_at_ms = expires_at_ms;
    return t;
}

TEST(verified_token_cache, finds_what_was_inserted_by_exact_token_text) {
    verified_token_cache cache(16);
    cache.insert("a.b.c", entry("u1", 10'000), 0, 0);
    ASSERT_TRUE(cache.find("a.b.c"));
    EXPECT_EQ(cache.find("a.b.c")->principal.user_id, "u1");
    EXPECT_FALSE(cache.find("a.b.C"));
    EXPECT_FALSE(cache.find("a.b.c "));
}

TEST(verified_token_cache, stores_nothing_with_capacity_zero) {
    verified_token_cache cache(0);
    cache.insert("a.b.c", entry("u1", 10'000), 0, 0);
    EXPECT_FALSE(cache.find("a.b.c"));
    EXPECT_EQ(cache.size(), 0u);
}

TEST(verified_token_cache, never_grows_beyond_its_capacity) {
    verified_token_cache cache(64);
    for (int i = 0; i < 10'000; ++i) cache.insert("token-" + std::to_string(i), entry("u", 1'000'000), 0, 0);
    EXPECT_LE(cache.size(), 64u);
    EXPECT_GT(cache.size(), 0u);
}

TEST(verified_token_cache, drops_expired_tokens_first_when_full) {
    verified_token_cache cache(8);  // one entry per shard
    for (int i = 0; i < 200; ++i) cache.insert("old-" + std::to_string(i), entry("old", 100), 0, 0);
    cache.insert("fresh", entry("new", 1'000'000), 1'000, 0);
    EXPECT_TRUE(cache.find("fresh"));
}

}  // namespace
}  // namespace writeen::auth

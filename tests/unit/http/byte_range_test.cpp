#include "http/byte_range.hpp"

#include <gtest/gtest.h>

namespace writeen::http {
namespace {

using kind = byte_range::kind;

TEST(byte_range, serves_a_closed_range_inside_the_body) {
    auto r = byte_range::parse("bytes=2-5", 10);
    EXPECT_EQ(r.what, kind::partial);
    EXPECT_EQ(r.first, 2u);
    EXPECT_EQ(r.last, 5u);
}

TEST(byte_range, clamps_the_last_byte_to_the_body) {
    auto r = byte_range::parse("bytes=2-999999999999999999999999", 10);
    EXPECT_EQ(r.what, kind::partial);
    EXPECT_EQ(r.first, 2u);
    EXPECT_EQ(r.last, 9u);
}

TEST(byte_range, a_start_past_the_end_is_unsatisfiable) {
    EXPECT_EQ(byte_range::parse("bytes=999999999-", 10).what, kind::unsatisfiable);
    EXPECT_EQ(byte_range::parse("bytes=10-", 10).what, kind::unsatisfiable);
}

TEST(byte_range, a_start_overflowing_64_bits_is_unsatisfiable_not_the_whole_body) {
    EXPECT_EQ(byte_range::parse("bytes=18446744073709551615-", 10).what, kind::unsatisfiable);
    EXPECT_EQ(byte_range::parse("bytes=18446744073709551616-", 10).what, kind::unsatisfiable);
    EXPECT_EQ(byte_range::parse("bytes=99999999999999999999999999999-", 10).what, kind::unsatisfiable);
    EXPECT_EQ(byte_range::parse("bytes=00000000000000000000018446744073709551616-", 10).what,
              kind::unsatisfiable);
    EXPECT_EQ(byte_range::parse("bytes=18446744073709551615-18446744073709551615", 10).what,
              kind::unsatisfiable);
}

TEST(byte_range, leading_zeros_do_not_count_as_overflow) {
    auto r = byte_range::parse("bytes=000000000000000000000003-", 10);
    EXPECT_EQ(r.what, kind::partial);
    EXPECT_EQ(r.first, 3u);
    EXPECT_EQ(r.last, 9u);
}

TEST(byte_range, an_overflowing_suffix_is_the_whole_body_as_a_range) {
    auto r = byte_range::parse("bytes=-18446744073709551616", 10);
    EXPECT_EQ(r.what, kind::partial);
    EXPECT_EQ(r.first, 0u);
    EXPECT_EQ(r.last, 9u);
}

TEST(byte_range, a_suffix_serves_the_last_bytes) {
    auto r = byte_range::parse("bytes=-3", 10);
    EXPECT_EQ(r.what, kind::partial);
    EXPECT_EQ(r.first, 7u);
    EXPECT_EQ(r.last, 9u);
    EXPECT_EQ(byte_range::parse("bytes=-0", 10).what, kind::unsatisfiable);
}

TEST(byte_range, malformed_or_multiple_ranges_are_ignored) {
    EXPECT_EQ(byte_range::parse("bytes=a-", 10).what, kind::whole);
    EXPECT_EQ(byte_range::parse("bytes=5-2", 10).what, kind::whole);
    EXPECT_EQ(byte_range::parse("bytes=1-2,4-5", 10).what, kind::whole);
    EXPECT_EQ(byte_range::parse("items=1-2", 10).what, kind::whole);
    EXPECT_EQ(byte_range::parse("bytes=-", 10).what, kind::whole);
}

}  // namespace
}  // namespace writeen::http

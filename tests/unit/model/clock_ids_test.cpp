#include "model/clock.hpp"
#include "model/ids.hpp"

#include <gtest/gtest.h>

#include <set>

namespace writeen {
namespace {

TEST(clock, formats_rfc3339_utc_with_milliseconds) {
    EXPECT_EQ(format_time(1705329000000), "2024-01-15T14:30:00.000Z");
    EXPECT_EQ(format_time(1705329000123), "2024-01-15T14:30:00.123Z");
}

TEST(clock, parses_what_it_formats_and_numeric_offsets) {
    EXPECT_EQ(parse_time("2024-01-15T14:30:00.000Z"), 1705329000000);
    EXPECT_EQ(parse_time("2024-01-15T21:30:00+07:00"), 1705329000000);
    EXPECT_EQ(parse_time("2024-01-15T14:30:00.5Z"), 1705329000500);
}

TEST(clock, rejects_malformed_times) {
    for (const char* bad : {"", "yesterday", "2024-13-01T00:00:00Z", "2024-01-15 14:30", "2024-01-15T14:30:00",
                            "2024-01-15T14:30:00Zjunk", "2024-02-30T00:00:00Z", "12"})
        EXPECT_FALSE(parse_time(bad).has_value()) << bad;
}

TEST(ids, object_ids_are_24_hex_unique_and_sorted_by_creation) {
    std::set<std::string> seen;
    std::string previous;
    for (int i = 0; i < 1000; ++i) {
        auto id = make_object_id();
        EXPECT_TRUE(is_object_id(id));
        EXPECT_TRUE(seen.insert(id).second);
        EXPECT_LE(previous.substr(0, 8), id.substr(0, 8));  // the time prefix never goes back
        previous = id;
    }
    EXPECT_FALSE(is_object_id("6b050bb339b686db6fe62f0"));
    EXPECT_FALSE(is_object_id("6B050BB339B686DB6FE62F0E"));
}

}  // namespace
}  // namespace writeen

#include "chat/text.hpp"

#include <gtest/gtest.h>

namespace writeen::chat {
namespace {

TEST(text, code_points_count_characters_not_bytes) {
    EXPECT_EQ(code_points("skripsi"), 7u);
    EXPECT_EQ(code_points("révisi"), 6u);
    EXPECT_EQ(code_points("😀"), 1u);
}

TEST(text, trim_removes_surrounding_white_space_only) {
    EXPECT_EQ(trim("  bab 2 \n"), "bab 2");
    EXPECT_EQ(trim("\t\n "), "");
}

TEST(text, user_ids_are_bounded_and_free_of_control_characters) {
    EXPECT_TRUE(valid_user_id("mahasiswa-42"));
    EXPECT_FALSE(valid_user_id(""));
    EXPECT_FALSE(valid_user_id(std::string(129, 'u')));
    EXPECT_FALSE(valid_user_id("a\nb"));
}

}  // namespace
}  // namespace writeen::chat

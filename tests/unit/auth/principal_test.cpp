#include "auth/principal.hpp"

#include <gtest/gtest.h>

#include <string>

#include "auth/roles.hpp"

namespace writeen::auth {
namespace {

TEST(roles, parse_the_four_claim_names_and_nothing_else) {
    EXPECT_EQ(parse_role("student"), role::student);
    EXPECT_EQ(parse_role("tutor"), role::tutor);
    EXPECT_EQ(parse_role("admin"), role::admin);
    EXPECT_EQ(parse_role("service"), role::service);
    for (const char* name : {"", "Student", "ADMIN", "teacher", "admin "})
        EXPECT_FALSE(parse_role(name)) << name;
}

TEST(roles, print_as_the_name_they_parse_from) {
    for (role r : {role::student, role::tutor, role::admin, role::service})
        EXPECT_EQ(parse_role(to_string(r)), r);
}

TEST(is_valid_user_id, accepts_1_to_128_characters) {
    EXPECT_TRUE(is_valid_user_id("u"));
    EXPECT_TRUE(is_valid_user_id(std::string(128, 'x')));
    EXPECT_TRUE(is_valid_user_id("65a1f0c2e4b0a1b2c3d4e5f6"));
    EXPECT_FALSE(is_valid_user_id(""));
    EXPECT_FALSE(is_valid_user_id(std::string(129, 'x')));
}

TEST(is_valid_user_id, counts_code_points_not_bytes) {
    std::string id;
    for (int i = 0; i < 128; ++i) id += "\xE4\xB8\xAD";  // 中
    EXPECT_TRUE(is_valid_user_id(id));
    EXPECT_FALSE(is_valid_user_id(id + "a"));
}

TEST(is_valid_user_id, refuses_control_characters_and_invalid_utf8) {
    EXPECT_FALSE(is_valid_user_id(std::string("a\0b", 3)));
    EXPECT_FALSE(is_valid_user_id("a\tb"));
    EXPECT_FALSE(is_valid_user_id("a\x7F"));
    EXPECT_FALSE(is_valid_user_id("a\xC2\x85"));  // NEL, a C1 control
    EXPECT_FALSE(is_valid_user_id("a\xFF"));
}

TEST(to_profile, copies_the_principal_and_stamps_the_time) {
    const principal p{"u1", "Ani", "https://a/x.png", role::tutor, 5000};
    const user_profile profile = to_profile(p, 1234);
    EXPECT_EQ(profile.id, "u1");
    EXPECT_EQ(profile.name, "Ani");
    EXPECT_EQ(profile.avatar, "https://a/x.png");
    EXPECT_EQ(profile.role, role::tutor);
    EXPECT_EQ(profile.last_seen, 1234);
}

}  // namespace
}  // namespace writeen::auth

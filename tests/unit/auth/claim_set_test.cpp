#include "auth/claim_set.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace writeen::auth {
namespace {

TEST(claim_set, reads_strings_numbers_booleans_nulls_and_string_arrays) {
    const auto claims =
        claim_set::parse(R"( {"s":"x","n":-12.5e1,"t":true,"f":false,"z":null,"a":["p","q"],"e":[]} )");
    ASSERT_TRUE(claims);
    EXPECT_EQ(claims->size(), 7u);
    EXPECT_EQ(*claims->string("s"), "x");
    EXPECT_EQ(std::get<double>(*claims->find("n")), -125.0);
    EXPECT_EQ(std::get<bool>(*claims->find("t")), true);
    EXPECT_EQ(std::get<bool>(*claims->find("f")), false);
    EXPECT_TRUE(std::holds_alternative<std::nullptr_t>(*claims->find("z")));
    EXPECT_EQ(std::get<std::vector<std::string>>(*claims->find("a")), (std::vector<std::string>{"p", "q"}));
    EXPECT_TRUE(std::get<std::vector<std::string>>(*claims->find("e")).empty());
}

TEST(claim_set, says_a_null_member_is_not_present) {
    const auto claims = claim_set::parse(R"({"z":null,"s":""})");
    ASSERT_TRUE(claims);
    EXPECT_FALSE(claims->has("z"));
    EXPECT_TRUE(claims->has("s"));
    EXPECT_FALSE(claims->has("missing"));
    EXPECT_EQ(claims->find("missing"), nullptr);
    EXPECT_EQ(claims->string("z"), nullptr);
}

TEST(claim_set, keeps_objects_and_mixed_arrays_only_as_structured) {
    const auto claims = claim_set::parse(R"({"o":{"k":[1,{"x":null}]},"m":["a",1]})");
    ASSERT_TRUE(claims);
    EXPECT_TRUE(std::holds_alternative<structured_value>(*claims->find("o")));
    EXPECT_TRUE(std::holds_alternative<structured_value>(*claims->find("m")));
}

TEST(claim_set, decodes_every_escape_and_surrogate_pairs) {
    const auto claims = claim_set::parse(R"({"s":"\"\\\/\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00"})");
    ASSERT_TRUE(claims);
    EXPECT_EQ(*claims->string("s"), "\"\\/\b\f\n\r\tA\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(claim_set, keeps_raw_utf8_text) {
    const auto claims = claim_set::parse("{\"name\":\"Dw\xC3\xAD \xF0\x9F\x98\x80\"}");
    ASSERT_TRUE(claims);
    EXPECT_EQ(*claims->string("name"), "Dw\xC3\xAD \xF0\x9F\x98\x80");
}

TEST(claim_set, refuses_text_that_is_not_one_json_object) {
    for (const char* text : {"", "   ", "[]", "\"s\"", "42", "null", "{", "}", "{}{}", "{} x", "{,}",
                             R"({"a":1,})", R"({"a" 1})", R"({a:1})", R"({'a':1})", R"({"a":})"}) {
        EXPECT_FALSE(claim_set::parse(text)) << text;
    }
}

TEST(claim_set, accepts_an_empty_object) {
    const auto claims = claim_set::parse(" {\n} ");
    ASSERT_TRUE(claims);
    EXPECT_EQ(claims->size(), 0u);
}

TEST(claim_set, refuses_duplicate_member_names) {
    EXPECT_FALSE(claim_set::parse(R"({"sub":"a","sub":"b"})"));
}

TEST(claim_set, refuses_numbers_json_does_not_allow) {
    for (const char* text :
         {R"({"n":01})", R"({"n":+1})", R"({"n":1.})", R"({"n":.5})", R"({"n":1e})", R"({"n":-})",
          R"({"n":NaN})", R"({"n":Infinity})", R"({"n":0x10})", R"({"n":1e999})"}) {
        EXPECT_FALSE(claim_set::parse(text)) << text;
    }
}

TEST(claim_set, refuses_bad_strings) {
    for (const std::string& text : {
             std::string(R"({"s":"unterminated})"), std::string("{\"s\":\"raw\ncontrol\"}"),
             std::string(R"({"s":"\x41"})"), std::string(R"({"s":"\u12"})"), std::string(R"({"s":"\ud83d"})"),
             std::string(R"({"s":"\ude00"})"), std::string(R"({"s":"\ud83d\u0041"})"),
             std::string("{\"s\":\"\xFF\"}"),
             std::string("{\"s\":\"\xC0\xAF\"}"),          // overlong '/'
             std::string("{\"s\":\"\xED\xA0\x80\"}"),      // encoded surrogate
             std::string("{\"s\":\"\xF4\x90\x80\x80\"}"),  // above U+10FFFF
             std::string("{\"s\":\"\xE2\x82\"}"),          // truncated
         }) {
        EXPECT_FALSE(claim_set::parse(text)) << text;
    }
}

TEST(claim_set, refuses_literals_with_wrong_spelling) {
    for (const char* text : {R"({"b":tru})", R"({"b":True})", R"({"b":nul})", R"({"b":falsey})"})
        EXPECT_FALSE(claim_set::parse(text)) << text;
}

TEST(claim_set, refuses_nesting_deeper_than_its_limit) {
    std::string ok = R"({"d":)";
    std::string too_deep = ok;
    for (int i = 0; i < claim_set::max_depth; ++i) ok += "[";
    for (int i = 0; i < claim_set::max_depth; ++i) ok += "]";
    EXPECT_TRUE(claim_set::parse(ok + "}"));
    for (int i = 0; i < 100000; ++i) too_deep += "[";
    EXPECT_FALSE(claim_set::parse(too_deep));
}

TEST(claim_set, refuses_more_members_than_its_limit) {
    std::string text = "{";
    for (std::size_t i = 0; i <= claim_set::max_members; ++i)
        text += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":0";
    EXPECT_FALSE(claim_set::parse(text + "}"));
}

}  // namespace
}  // namespace writeen::auth

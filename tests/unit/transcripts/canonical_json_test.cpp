#include "transcripts/canonical_json.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace writeen::transcripts {
namespace {

TEST(canonical_json, sorts_members_by_utf16_code_units_and_drops_white_space) {
    // After RFC 8785 section 3.2.3: U+FB33 sorts after U+1F600 (😀) in UTF-16 (0xFB33 > 0xD83D),
    // although its UTF-8 bytes (EF ..) sort before (F0 ..).
    auto v = boost::json::parse(R"({"\ufb33": "Hebrew", "\u20ac": "Euro", "\r": "CR", "\ud83d\ude00": "smiley", "1": "one", "\u0080": "ctl", "b": [1, {"z": null, "a": true}]})");
    EXPECT_EQ(canonical_json(v),
              "{\"\\r\":\"CR\",\"1\":\"one\",\"b\":[1,{\"a\":true,\"z\":null}],\"\xc2\x80\":\"ctl\","
              "\"\xe2\x82\xac\":\"Euro\",\"\xf0\x9f\x98\x80\":\"smiley\",\"\xef\xac\xb3\":\"Hebrew\"}");
}

TEST(canonical_json, escapes_only_what_rfc_8785_escapes) {
    auto v = boost::json::parse(R"(["\u0001\b\t\n\f\r\"\\/é", "\u001f"])");
    EXPECT_EQ(canonical_json(v), "[\"\\u0001\\b\\t\\n\\f\\r\\\"\\\\/\xc3\xa9\",\"\\u001f\"]");
}

TEST(canonical_json, prints_numbers_as_ecmascript_does) {
    EXPECT_EQ(ecmascript_number(0.0), "0");
    EXPECT_EQ(ecmascript_number(-0.0), "0");
    EXPECT_EQ(ecmascript_number(4.0), "4");
    EXPECT_EQ(ecmascript_number(4.5), "4.5");
    EXPECT_EQ(ecmascript_number(0.3), "0.3");
    EXPECT_EQ(ecmascript_number(-1.5e-7), "-1.5e-7");
    EXPECT_EQ(ecmascript_number(0.000001), "0.000001");
    EXPECT_EQ(ecmascript_number(1e21), "1e+21");
    EXPECT_EQ(ecmascript_number(1e20), "100000000000000000000");
    EXPECT_EQ(ecmascript_number(333333333.33333329), "333333333.3333333");
    EXPECT_EQ(ecmascript_number(5e-324), "5e-324");
    EXPECT_THROW(ecmascript_number(std::nan("")), std::invalid_argument);
    EXPECT_EQ(canonical_json(boost::json::parse("[-12, 18446744073709551615, 1E2]")), "[-12,18446744073709551615,100]");
}

}  // namespace
}  // namespace writeen::transcripts

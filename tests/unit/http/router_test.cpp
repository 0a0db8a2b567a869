#include "http/router.hpp"

#include <gtest/gtest.h>

#include "http/request_parsing.hpp"

namespace writeen::http {
namespace {

handler nothing() {
    return [](request&) -> net::awaitable<response> { co_return response{}; };
}

TEST(router, captures_decoded_path_parameters) {
    router r;
    r.add(bhttp::verb::delete_, "/api/messages/:id/reactions/:emoji", nothing());
    auto m = r.find(bhttp::verb::delete_, "/api/messages/abc/reactions/%F0%9F%91%8D");
    ASSERT_NE(m.found, nullptr);
    ASSERT_EQ(m.params.size(), 2u);
    EXPECT_EQ(m.params[0], "abc");
    EXPECT_EQ(m.params[1], "👍");
}

TEST(router, tells_a_wrong_method_from_an_unknown_path) {
    router r;
    r.add(bhttp::verb::get, "/api/conversations", nothing());
    auto wrong_method = r.find(bhttp::verb::put, "/api/conversations");
    EXPECT_EQ(wrong_method.found, nullptr);
    EXPECT_TRUE(wrong_method.other_method);
    auto unknown = r.find(bhttp::verb::get, "/api/nothing");
    EXPECT_EQ(unknown.found, nullptr);
    EXPECT_FALSE(unknown.other_method);
}

TEST(router, empty_or_malformed_parameters_do_not_match) {
    router r;
    r.add(bhttp::verb::get, "/api/conversations/:id", nothing());
    EXPECT_EQ(r.find(bhttp::verb::get, "/api/conversations/").found, nullptr);
    EXPECT_EQ(r.find(bhttp::verb::get, "/api/conversations/%zz").found, nullptr);
}

TEST(request_parsing, query_strings_are_split_and_decoded) {
    auto q = parse_query("q=revisi+bab%202&limit=5&&flag");
    ASSERT_EQ(q.size(), 3u);
    EXPECT_EQ(q[0].second, "revisi bab 2");
    EXPECT_EQ(q[1].first, "limit");
    EXPECT_EQ(q[2].first, "flag");
}

TEST(request_parsing, integers_are_strict) {
    EXPECT_EQ(parse_int("42"), 42);
    EXPECT_EQ(parse_int("-1"), -1);
    EXPECT_FALSE(parse_int("4x").has_value());
    EXPECT_FALSE(parse_int("").has_value());
    EXPECT_FALSE(parse_int("99999999999999999999").has_value());
}

}  // namespace
}  // namespace writeen::http

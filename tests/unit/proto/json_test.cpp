#include "proto/json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace writeen::proto {
namespace {

TEST(proto, deleted_messages_show_empty_content_and_edit_history_only_when_asked) {
    message_view v;
    v.msg.id = "m";
    v.msg.content_json = R"({"text":"rahasia"})";
    v.msg.edit_history.push_back({1, "lama", "u"});
    auto with = message_json(v, true);
    auto without = message_json(v, false);
    EXPECT_TRUE(with.contains("editHistory"));
    EXPECT_FALSE(without.contains("editHistory"));
    EXPECT_EQ(with.at("content").at("text").as_string(), "rahasia");
    v.msg.deleted_at = 5;
    EXPECT_TRUE(message_json(v, true).at("content").as_object().empty());
}

TEST(proto, envelopes_have_the_documented_shape) {
    auto ok = boost::json::parse(success_body(boost::json::object{{"x", 1}}));
    EXPECT_EQ(ok.at("success").as_bool(), true);
    EXPECT_EQ(ok.at("data").at("x").as_int64(), 1);
    auto err = boost::json::parse(error_body(error_code::not_found, "nope"));
    EXPECT_EQ(err.at("success").as_bool(), false);
    EXPECT_EQ(err.at("error").at("code").as_string(), "not_found");
}

TEST(proto, malformed_json_and_wrong_types_are_bad_requests) {
    EXPECT_THROW(parse("{\"a\":"), api_error);
    EXPECT_THROW(parse(std::string(100, '[')), api_error);  // deeper than allowed
    auto v = parse(R"({"n":"x","b":1,"i":1.5,"s":2})");
    const auto& o = v.as_object();
    EXPECT_THROW(optional_int(o, "n"), api_error);
    EXPECT_THROW(optional_bool(o, "b"), api_error);
    EXPECT_THROW(optional_int(o, "i"), api_error);
    EXPECT_THROW(optional_string(o, "s"), api_error);
    EXPECT_FALSE(optional_string(o, "missing").has_value());
}

TEST(proto, every_error_code_maps_to_its_http_status) {
    EXPECT_EQ(http_status(error_code::bad_request), 400);
    EXPECT_EQ(http_status(error_code::file_not_ready), 423);
    EXPECT_EQ(http_status(error_code::rate_limited), 429);
    EXPECT_EQ(http_status(error_code::unavailable), 503);
    EXPECT_EQ(to_string(error_code::unsupported_media_type), "unsupported_media_type");
}

}  // namespace
}  // namespace writeen::proto

#include "notify/web_push_request.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <stdexcept>
#include <string>

#include "notify/web_push_encryption.hpp"
#include "notify_test_support.hpp"

namespace writeen::notify {
namespace {

constexpr unix_ms now = 1'700'000'000'000;

web_push_subscription subscription(std::string endpoint) {
    return {std::move(endpoint),
            "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
            "BTBZMqHH6r4Tts7J_aSIgg"};
}

web_push_options options() { return {.vapid_subject = "mailto:ops@writeen.example"}; }

std::string header(const web_push_request& request, std::string_view name) {
    for (const auto& [key, value] : request.headers)
        if (key == name) return value;
    throw std::out_of_range(std::string(name));
}

boost::json::value vapid_claims(const web_push_request& request) {
    const std::string authorization = header(request, "Authorization");
    const std::size_t comma = authorization.find(", k=");
    return boost::json::parse(test::split_jwt(authorization.substr(8, comma - 8)).claims);
}

TEST(web_push_request, is_an_aes128gcm_post_to_the_endpoint_with_vapid_for_its_origin) {
    const vapid_key vapid = vapid_key::generate();
    const std::string endpoint = "https://Push.Example.NET:443/wpush/v2/gAAAA?x=1";
    const web_push_request request =
        build_web_push_request(subscription(endpoint), "hello", vapid, options(), now);

    EXPECT_EQ(request.url, endpoint);
    ASSERT_EQ(request.headers.size(), 5u);
    EXPECT_EQ(header(request, "TTL"), "86400");
    EXPECT_EQ(header(request, "Content-Encoding"), "aes128gcm");
    EXPECT_EQ(header(request, "Content-Type"), "application/octet-stream");
    EXPECT_EQ(header(request, "Urgency"), "normal");
    EXPECT_EQ(request.body.size(), 86u + 5 + 1 + 16);

    const std::string authorization = header(request, "Authorization");
    EXPECT_EQ(authorization.rfind("vapid t=", 0), 0u);
    EXPECT_NE(authorization.find(", k=" + vapid.public_key_base64url()), std::string::npos);
    const boost::json::value claims = vapid_claims(request);
    EXPECT_EQ(claims.at("aud"), "https://push.example.net");
    EXPECT_EQ(claims.at("sub"), "mailto:ops@writeen.example");
    EXPECT_EQ(claims.at("exp"), (now + 12 * 3'600'000) / 1000);
}

TEST(web_push_request, audience_keeps_a_port_other_than_the_default) {
    const web_push_request request = build_web_push_request(subscription("http://127.0.0.1:9000/push/1"), "x",
                                                            vapid_key::generate(), options(), now);
    EXPECT_EQ(vapid_claims(request).at("aud"), "http://127.0.0.1:9000");
}

TEST(web_push_request, ttl_is_the_option_in_seconds) {
    web_push_options opts = options();
    opts.ttl = std::chrono::seconds(0);
    EXPECT_EQ(header(build_web_push_request(subscription("https://push.example.net/x"), "x",
                                            vapid_key::generate(), opts, now),
                     "TTL"),
              "0");
}

TEST(web_push_request, refuses_an_endpoint_the_server_must_not_post_to) {
    const vapid_key vapid = vapid_key::generate();
    for (const char* endpoint : {"http://push.example.net/x", "https://user@push.example.net/x",
                                 "file:///etc/passwd", "https://push.example.net/x y"})
        EXPECT_THROW(build_web_push_request(subscription(endpoint), "x", vapid, options(), now),
                     std::invalid_argument)
            << endpoint;
}

TEST(web_push_request, refuses_bad_keys_oversize_payloads_and_out_of_range_options) {
    const vapid_key vapid = vapid_key::generate();
    web_push_subscription bad_key = subscription("https://push.example.net/x");
    bad_key.p256dh = "AAAA";
    EXPECT_THROW(build_web_push_request(bad_key, "x", vapid, options(), now), std::invalid_argument);
    EXPECT_THROW(build_web_push_request(subscription("https://push.example.net/x"),
                                        std::string(max_push_plaintext_size + 1, 'x'), vapid, options(), now),
                 std::invalid_argument);

    web_push_options negative_ttl = options();
    negative_ttl.ttl = std::chrono::seconds(-1);
    web_push_options long_token = options();
    long_token.vapid_lifetime = std::chrono::hours(25);
    web_push_options no_subject = options();
    no_subject.vapid_subject.clear();
    for (const web_push_options& opts : {negative_ttl, long_token, no_subject})
        EXPECT_THROW(
            build_web_push_request(subscription("https://push.example.net/x"), "x", vapid, opts, now),
            std::invalid_argument);
}

}  // namespace
}  // namespace writeen::notify

#include "notify/push_endpoint.hpp"

#include <gtest/gtest.h>

#include <string>

namespace writeen::notify {
namespace {

TEST(push_endpoint, accepts_the_https_endpoints_browsers_hand_out) {
    for (const char* url : {
             "https://fcm.googleapis.com/fcm/send/dXk3:APA91bH-x_y~z",
             "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk",
             "https://web.push.apple.com/QGuQyavXutnMH?x=1&y=%2F",
             "https://push.example.net",
             "https://push.example.net:8443/a/b",
             "https://[2001:db8::1]/p",
             "https://10.1.2.3/p",
         })
        EXPECT_TRUE(acceptable_push_endpoint(url)) << url;
}

TEST(push_endpoint, accepts_plain_http_only_to_loopback) {
    for (const char* url : {"http://127.0.0.1:8080/push/1", "http://localhost:3000/x", "http://LOCALHOST/x",
                            "http://[::1]:9000/x", "http://[0:0:0:0:0:0:0:1]/x"})
        EXPECT_TRUE(acceptable_push_endpoint(url)) << url;
    for (const char* url :
         {"http://push.example.net/x", "http://10.0.0.1/x", "http://127.0.0.2/x",
          "http://localhost.example.net/x", "http://[::ffff:127.0.0.1]/x", "http://2130706433/x"})
        EXPECT_FALSE(acceptable_push_endpoint(url)) << url;
}

TEST(push_endpoint, refuses_other_schemes_and_relative_urls) {
    for (const char* url :
         {"", "ftp://push.example.net/x", "wss://push.example.net/x", "https:/push.example.net/x",
          "//push.example.net/x", "push.example.net/x", "https://", "https:///x", "javascript:x"})
        EXPECT_FALSE(acceptable_push_endpoint(url)) << url;
}

TEST(push_endpoint, refuses_userinfo_fragments_and_backslashes) {
    for (const char* url : {"https://user:pw@push.example.net/", "https://@push.example.net/",
                            "https://push.example.net@10.0.0.1/", "https://push.example.net/x#frag",
                            "https://push.example.net\\@10.0.0.1/", "https://push.example.net/a\\b"})
        EXPECT_FALSE(acceptable_push_endpoint(url)) << url;
}

TEST(push_endpoint, refuses_spaces_controls_and_non_ascii) {
    for (const std::string& url :
         {std::string("https://push.example.net/a b"), std::string("https://push.example.net/\t"),
          std::string("https://push.example.net/\r\nX-Injected: 1"),
          std::string("https://push.example.net/\0x", 26), std::string("https://püsh.example/x"),
          std::string("https://push.example.net/\"<>"), std::string(" https://push.example.net/")})
        EXPECT_FALSE(acceptable_push_endpoint(url)) << url;
}

TEST(push_endpoint, refuses_malformed_hosts_ports_and_escapes) {
    for (const char* url : {"https://push..example/x",
                            "https://-push.example/x",
                            "https://push-.example/x",
                            "https://push.example./x",
                            "https://exa_mple.com/x",
                            "https://%70ush.example/x",
                            "https://0x7f.1/x",
                            "https://127.1/x",
                            "https://2130706433/x",
                            "https://[::1/x",
                            "https://[::1%25eth0]/x",
                            "https://[zz::1]/x",
                            "https://::1/x",
                            "https://push.example.net:0/x",
                            "https://push.example.net:65536/x",
                            "https://push.example.net:/x",
                            "https://push.example.net:8a/x",
                            "https://push.example.net:443:443/x",
                            "https://push.example.net/%zz",
                            "https://push.example.net/%4",
                            "https://push.example.net/[x]"})
        EXPECT_FALSE(acceptable_push_endpoint(url)) << url;
}

TEST(push_endpoint, accepts_up_to_2048_bytes) {
    const std::string prefix = "https://push.example.net/";
    EXPECT_TRUE(acceptable_push_endpoint(prefix + std::string(max_push_endpoint_size - prefix.size(), 'a')));
    EXPECT_FALSE(
        acceptable_push_endpoint(prefix + std::string(max_push_endpoint_size - prefix.size() + 1, 'a')));
}

TEST(push_endpoint, origin_is_lower_case_without_the_default_port) {
    const auto origin = [](const char* url) { return parse_push_endpoint(url).value().origin(); };
    EXPECT_EQ(origin("HTTPS://Push.Example.NET:443/x?y"), "https://push.example.net");
    EXPECT_EQ(origin("https://push.example.net:8443/x"), "https://push.example.net:8443");
    EXPECT_EQ(origin("http://localhost:80/x"), "http://localhost");
    EXPECT_EQ(origin("http://127.0.0.1:8080/x"), "http://127.0.0.1:8080");
    EXPECT_EQ(origin("http://[0:0::1]:9000/x"), "http://[::1]:9000");
    EXPECT_EQ(origin("https://[2001:DB8:0::1]/x"), "https://[2001:db8::1]");
}

}  // namespace
}  // namespace writeen::notify

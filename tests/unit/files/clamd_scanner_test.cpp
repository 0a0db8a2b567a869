// Scans against a real clamd started by scripts/test-servers/clamd.sh (WRITEEN_TEST_CLAMD,
// optionally WRITEEN_TEST_CLAMD_TCP). Failure modes (nothing listening, a silent server) need
// no clamd and always run.
#include "files/clamd_scanner.hpp"

#include "test_support.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <vector>

namespace writeen::files {
namespace {

using kind = scan_verdict::kind;

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

constexpr const char* clamd_skip_message =
    "WRITEEN_TEST_CLAMD is not set; start clamd with scripts/test-servers/clamd.sh start <dir> [port] "
    "and export what it prints";

std::string docx_with(std::string_view name, std::string data) {
    return test::make_zip({{"[Content_Types].xml", "<Types/>", true},
                           {"word/document.xml", "<w:document/>", true},
                           {std::string(name), std::move(data), true}});
}

TEST(clamd_reply, parses_clean_infected_and_error_replies) {
    EXPECT_EQ(parse_clamd_reply("stream: OK").result, kind::clean);
    const auto infected = parse_clamd_reply("stream: Eicar-Signature FOUND");
    EXPECT_EQ(infected.result, kind::infected);
    EXPECT_EQ(infected.detail, "Eicar-Signature");
    const auto limits = parse_clamd_reply("stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND\n");
    EXPECT_EQ(limits.result, kind::infected);
    EXPECT_EQ(limits.detail, "Heuristics.Limits.Exceeded.MaxFileSize");
    const auto too_big = parse_clamd_reply("INSTREAM size limit exceeded. ERROR");
    EXPECT_EQ(too_big.result, kind::error);
    EXPECT_NE(too_big.detail.find("size limit"), std::string::npos);
    EXPECT_EQ(parse_clamd_reply("").result, kind::error);
    EXPECT_EQ(parse_clamd_reply("stream: FOUND").result, kind::error);
    EXPECT_EQ(parse_clamd_reply("PONG").result, kind::error);
    EXPECT_EQ(parse_clamd_reply("stream: OKAY").result, kind::error);
}

TEST(clamd_scanner, refuses_malformed_addresses) {
    EXPECT_THROW(clamd_scanner("127.0.0.1:3310"), std::invalid_argument);
    EXPECT_THROW(clamd_scanner("tcp://127.0.0.1"), std::invalid_argument);
    EXPECT_THROW(clamd_scanner("unix:"), std::invalid_argument);
    EXPECT_THROW(clamd_scanner("unix:/" + std::string(200, 'a')), std::invalid_argument);
    EXPECT_NO_THROW(clamd_scanner("tcp://[::1]:3310"));
}

TEST(clamd_scanner, clamd_down_is_unavailable_never_clean) {
    test::temp_dir dir;
    const auto unix_verdict = clamd_scanner("unix:" + (dir.path() / "none.sock").string()).scan("hello");
    EXPECT_EQ(unix_verdict.result, kind::unavailable);
    EXPECT_FALSE(unix_verdict.detail.empty());
    // Port 1 on loopback: connection refused.
    EXPECT_EQ(clamd_scanner("tcp://127.0.0.1:1").scan("hello").result, kind::unavailable);
}

TEST(clamd_scanner, a_clamd_that_never_answers_times_out_as_unavailable) {
    // A listening socket nobody serves: the connection is accepted by the kernel, then silence.
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(listener, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(listener, 4), 0);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    const std::string address = "tcp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

    const clamd_scanner scanner(address, {std::chrono::milliseconds(500), std::chrono::milliseconds(300)});
    const auto start = std::chrono::steady_clock::now();
    const auto verdict = scanner.scan("small file");
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ::close(listener);
    EXPECT_EQ(verdict.result, kind::unavailable);
    EXPECT_NE(verdict.detail.find("timed out"), std::string::npos) << verdict.detail;
    EXPECT_LT(elapsed, std::chrono::seconds(5));
}

class clamd_test : public ::testing::TestWithParam<const char*> {
protected:
    void SetUp() override {
        address_ = env(GetParam());
        if (address_.empty()) {
            GTEST_SKIP() << (std::string(GetParam()) == "WRITEEN_TEST_CLAMD"
                                 ? std::string(clamd_skip_message)
                                 : std::string("WRITEEN_TEST_CLAMD_TCP is not set; start clamd.sh with a port"));
        }
    }
    scan_verdict scan(std::string_view data) { return clamd_scanner(address_).scan(data); }
    std::string address_;
};

TEST_P(clamd_test, eicar_is_infected) {
    const auto v = scan(test::eicar());
    EXPECT_EQ(v.result, kind::infected) << v.detail;
    EXPECT_NE(v.detail.find("Eicar"), std::string::npos) << v.detail;
}

TEST_P(clamd_test, eicar_inside_a_docx_is_infected) {
    const std::string docx = docx_with("word/media/payload.bin", test::eicar());
    // Deflated, so the string is only visible to a scanner that unpacks the archive.
    ASSERT_EQ(docx.find("EICAR"), std::string::npos);
    const auto v = scan(docx);
    EXPECT_EQ(v.result, kind::infected) << v.detail;
}

TEST_P(clamd_test, a_zip_bomb_is_flagged) {
    // 64 MiB of content in a 0.4 MiB zip. Several entries on purpose: clamd trims a single
    // entry larger than MaxFileSize to MaxFileSize and scans the rest as clean; it is the sum
    // over entries that crosses MaxScanSize and raises the heuristic alert.
    const std::string bomb = test::make_zip_bomb("word/", 8, 8 * 1024 * 1024);
    ASSERT_LT(bomb.size(), 1024u * 1024u);
    const auto v = scan(bomb);
    EXPECT_EQ(v.result, kind::infected) << v.detail;
    EXPECT_NE(v.detail.find("Heuristics.Limits.Exceeded"), std::string::npos) << v.detail;
}

TEST_P(clamd_test, clean_files_are_clean) {
    EXPECT_EQ(scan("Catatan bimbingan: revisi bab 2 sebelum Jumat.\n").result, kind::clean);
    EXPECT_EQ(scan("").result, kind::clean);
    EXPECT_EQ(scan(docx_with("word/styles.xml", "<w:styles/>")).result, kind::clean);
    // Several INSTREAM chunks, under clamd's MaxFileSize.
    EXPECT_EQ(scan(test::random_bytes(1024 * 1024, 8)).result, kind::clean);
}

TEST_P(clamd_test, a_stream_over_clamd_stream_max_length_is_an_error) {
    // clamd.sh sets StreamMaxLength 20M; clamd cuts the stream off with an ERROR reply.
    const auto v = scan(test::random_bytes(21 * 1024 * 1024, 9));
    EXPECT_EQ(v.result, kind::error) << v.detail;
}

TEST_P(clamd_test, parallel_scans_each_get_their_own_verdict) {
    std::vector<std::future<scan_verdict>> results;
    for (int i = 0; i < 8; ++i) {
        results.push_back(std::async(std::launch::async, [this, i] {
            return scan(i % 2 ? test::eicar() : "plain text number " + std::to_string(i));
        }));
    }
    for (int i = 0; i < 8; ++i) {
        EXPECT_EQ(results[static_cast<std::size_t>(i)].get().result, i % 2 ? kind::infected : kind::clean) << i;
    }
}

INSTANTIATE_TEST_SUITE_P(sockets, clamd_test, ::testing::Values("WRITEEN_TEST_CLAMD", "WRITEEN_TEST_CLAMD_TCP"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                             return std::string(p.param) == "WRITEEN_TEST_CLAMD" ? "unix" : "tcp";
                         });

}  // namespace
}  // namespace writeen::files

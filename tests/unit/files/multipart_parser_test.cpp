#include "files/multipart_parser.hpp"

#include "files/file_errors.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace writeen::files {
namespace {

// What the callbacks saw, part by part.
struct recorded_part {
    part_headers headers;
    std::string data;
    bool ended = false;
};

struct recorder {
    std::vector<recorded_part> parts;
    std::size_t largest_chunk = 0;

    multipart_parser::callbacks callbacks() {
        return {
            [this](const part_headers& h) { parts.push_back({h, {}, false}); },
            [this](std::string_view d) {
                ASSERT_FALSE(parts.empty());
                ASSERT_FALSE(parts.back().ended);
                parts.back().data.append(d);
                largest_chunk = std::max(largest_chunk, d.size());
            },
            [this] {
                ASSERT_FALSE(parts.empty());
                parts.back().ended = true;
            },
        };
    }
};

const std::string boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

std::string form_body(const std::string& file_data) {
    return "preamble to be ignored\r\n"
           "--" + boundary + "\r\n"
           "Content-Disposition: form-data; name=\"description\"\r\n\r\n"
           "Bab 2 revisi\r\n"
           "--" + boundary + "\r\n"
           "Content-Disposition: form-data; name=\"file\"; filename=\"skripsi bab 2.pdf\"\r\n"
           "Content-Type: application/pdf\r\n\r\n" +
           file_data + "\r\n"
           "--" + boundary + "--\r\n"
           "epilogue to be ignored";
}

void expect_form(const recorder& r, const std::string& file_data) {
    ASSERT_EQ(r.parts.size(), 2u);
    EXPECT_EQ(r.parts[0].headers.name, "description");
    EXPECT_FALSE(r.parts[0].headers.filename.has_value());
    EXPECT_EQ(r.parts[0].data, "Bab 2 revisi");
    EXPECT_TRUE(r.parts[0].ended);
    EXPECT_EQ(r.parts[1].headers.name, "file");
    EXPECT_EQ(r.parts[1].headers.filename, "skripsi bab 2.pdf");
    EXPECT_EQ(r.parts[1].headers.content_type, "application/pdf");
    EXPECT_EQ(r.parts[1].data, file_data);
    EXPECT_TRUE(r.parts[1].ended);
}

// File content that contains near-misses of the delimiter, to catch off-by-one holds.
std::string tricky_data() {
    return "%PDF-1.7\r\n--" + boundary.substr(0, 10) + "\r\n\r\r\n-\r\n--" + boundary.substr(0, boundary.size() - 1) +
           "x" + test::random_bytes(3000, 7) + "\r";
}

TEST(multipart_parser, extracts_boundary_from_content_type) {
    EXPECT_EQ(multipart_parser::boundary_from_content_type("multipart/form-data; boundary=abc"), "abc");
    EXPECT_EQ(multipart_parser::boundary_from_content_type("Multipart/Form-Data;boundary=\"a b:c\""), "a b:c");
    EXPECT_EQ(multipart_parser::boundary_from_content_type("multipart/form-data; charset=utf-8; boundary=x1"), "x1");
    EXPECT_FALSE(multipart_parser::boundary_from_content_type("multipart/form-data"));
    EXPECT_FALSE(multipart_parser::boundary_from_content_type("multipart/mixed; boundary=abc"));
    EXPECT_FALSE(multipart_parser::boundary_from_content_type("application/json"));
    EXPECT_FALSE(multipart_parser::boundary_from_content_type("multipart/form-data; boundary="));
    EXPECT_FALSE(multipart_parser::boundary_from_content_type("multipart/form-data; boundary=" + std::string(71, 'a')));
    EXPECT_FALSE(multipart_parser::boundary_from_content_type("multipart/form-data; boundary=a\"b"));
}

TEST(multipart_parser, parses_a_body_fed_at_once) {
    const std::string data = tricky_data();
    recorder r;
    multipart_parser p(boundary, r.callbacks());
    p.feed(form_body(data));
    p.finish();
    EXPECT_TRUE(p.done());
    expect_form(r, data);
}

TEST(multipart_parser, parses_a_body_fed_byte_by_byte) {
    const std::string data = tricky_data();
    const std::string body = form_body(data);
    recorder r;
    multipart_parser p(boundary, r.callbacks());
    for (const char c : body) p.feed(std::string_view(&c, 1));
    p.finish();
    expect_form(r, data);
}

TEST(multipart_parser, parses_a_body_fed_in_random_chunks) {
    const std::string data = tricky_data() + test::random_bytes(200000, 3);
    const std::string body = form_body(data);
    for (std::uint32_t seed = 1; seed <= 50; ++seed) {
        std::mt19937 gen(seed);
        std::uniform_int_distribution<std::size_t> size(1, seed % 2 ? 100 : 9000);
        recorder r;
        multipart_parser p(boundary, r.callbacks());
        for (std::size_t i = 0; i < body.size();) {
            const std::size_t n = std::min(size(gen), body.size() - i);
            p.feed(std::string_view(body).substr(i, n));
            i += n;
        }
        p.finish();
        expect_form(r, data);
    }
}

TEST(multipart_parser, memory_stays_bounded_by_the_chunk_size) {
    // 20 MiB streamed in 64 KiB chunks: each data callback carries at most what was fed, so
    // nothing accumulates a part.
    recorder r;
    std::size_t total = 0;
    std::size_t largest = 0;
    multipart_parser p(boundary, {[](const part_headers&) {},
                                  [&](std::string_view d) {
                                      total += d.size();
                                      largest = std::max(largest, d.size());
                                  },
                                  [] {}});
    p.feed("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n");
    const std::string chunk = test::random_bytes(64 * 1024, 9);
    for (int i = 0; i < 320; ++i) p.feed(chunk);
    p.feed("\r\n--" + boundary + "--\r\n");
    p.finish();
    EXPECT_EQ(total, 320u * chunk.size());
    EXPECT_LE(largest, chunk.size() + boundary.size() + 4);
}

TEST(multipart_parser, accepts_a_body_without_preamble_and_an_empty_part) {
    recorder r;
    multipart_parser p("b", r.callbacks());
    p.feed("--b\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n\r\n--b--");
    p.finish();
    ASSERT_EQ(r.parts.size(), 1u);
    EXPECT_EQ(r.parts[0].data, "");
    EXPECT_TRUE(r.parts[0].ended);
}

TEST(multipart_parser, prefers_filename_star_and_keeps_windows_backslashes) {
    recorder r;
    multipart_parser p("b", r.callbacks());
    p.feed("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\Users\\ani\\a.pdf\"\r\n\r\nx\r\n"
           "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"fallback.pdf\"; "
           "filename*=UTF-8''skripsi%20%C3%A9.pdf\r\n\r\ny\r\n--b--");
    p.finish();
    ASSERT_EQ(r.parts.size(), 2u);
    EXPECT_EQ(r.parts[0].headers.filename, "C:\\Users\\ani\\a.pdf");
    EXPECT_EQ(r.parts[1].headers.filename, "skripsi \xC3\xA9.pdf");
}

TEST(multipart_parser, rejects_a_body_that_ends_before_the_closing_boundary) {
    recorder r;
    multipart_parser p("b", r.callbacks());
    p.feed("--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nsome data");
    EXPECT_THROW(p.finish(), multipart_error);
}

TEST(multipart_parser, rejects_a_body_without_any_boundary) {
    recorder r;
    multipart_parser p("b", r.callbacks());
    p.feed("just some text");
    EXPECT_THROW(p.finish(), multipart_error);
    EXPECT_TRUE(r.parts.empty());
}

TEST(multipart_parser, rejects_malformed_parts) {
    const std::vector<std::string> bodies = {
        "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",                      // no disposition
        "--b\r\nContent-Disposition: attachment; name=\"f\"\r\n\r\nx\r\n--b--",   // not form-data
        "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",                // no name
        "--b\r\nContent-Disposition: form-data; name=\"f\r\n\r\nx\r\n--b--",      // unclosed quote
        "--b\r\nno colon here\r\n\r\nx\r\n--b--",                                  // bad header line
        "--bXYZ\r\n",                                                              // junk after boundary
        "--b\r\n\r\nx\r\n--b--",                                                   // no headers at all
    };
    for (const auto& body : bodies) {
        recorder r;
        multipart_parser p("b", r.callbacks());
        EXPECT_THROW(
            {
                p.feed(body);
                p.finish();
            },
            multipart_error)
            << body;
    }
}

TEST(multipart_parser, rejects_oversized_headers_without_buffering_them) {
    recorder r;
    multipart_parser p("b", r.callbacks(), {.max_header_bytes = 1024, .max_parts = 4});
    p.feed("--b\r\nContent-Disposition: form-data; name=\"f\"\r\nX-Junk: ");
    EXPECT_THROW(p.feed(std::string(2048, 'a')), multipart_error);
    EXPECT_THROW(p.feed("more"), multipart_error);  // stays failed
}

TEST(multipart_parser, rejects_too_many_parts) {
    recorder r;
    multipart_parser p("b", r.callbacks(), {.max_header_bytes = 1024, .max_parts = 2});
    const std::string part = "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n";
    EXPECT_THROW(p.feed(part + part + part + "--b--"), multipart_error);
}

TEST(multipart_parser, an_exception_from_a_callback_stops_the_parser) {
    struct too_large {};
    multipart_parser p("b", {{}, [](std::string_view) { throw too_large{}; }, {}});
    EXPECT_THROW(p.feed("--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nxxxx\r\n--b--"), too_large);
    EXPECT_THROW(p.feed("x"), multipart_error);
}

}  // namespace
}  // namespace writeen::files

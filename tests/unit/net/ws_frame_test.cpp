#include "net/ws_frame.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ws = writeen::server::ws;

namespace {

std::vector<std::uint8_t> bytes(std::initializer_list<int> list) {
    std::vector<std::uint8_t> out;
    for (int b : list) out.push_back(static_cast<std::uint8_t>(b));
    return out;
}

}  // namespace

TEST(ws_frame, accept_key_matches_the_rfc_example) {
    // RFC 6455 section 1.3.
    EXPECT_EQ(ws::accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(ws_frame, client_keys_must_be_base64_of_16_bytes) {
    EXPECT_TRUE(ws::valid_client_key("dGhlIHNhbXBsZSBub25jZQ=="));
    EXPECT_FALSE(ws::valid_client_key(""));
    EXPECT_FALSE(ws::valid_client_key("dGhlIHNhbXBsZSBub25jZQ"));
    EXPECT_FALSE(ws::valid_client_key("dGhlIHNhbXBsZSBub25j*Q=="));
}

TEST(ws_frame, parses_a_masked_text_frame_and_unmasks_it) {
    // RFC 6455 section 5.7: a masked "Hello".
    auto frame = bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
    const auto h = ws::parse_header(frame.data(), frame.size());
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->fin);
    EXPECT_FALSE(h->reserved_bits);
    EXPECT_EQ(h->opcode, 1);
    EXPECT_TRUE(h->masked);
    EXPECT_EQ(h->length, 5u);
    EXPECT_EQ(h->size, 6u);
    std::string payload(reinterpret_cast<char*>(frame.data()) + h->size, 5);
    ws::unmask(payload.data(), payload.size(), h->mask);
    EXPECT_EQ(payload, "Hello");
}

TEST(ws_frame, an_incomplete_header_is_not_parsed) {
    auto frame = bytes({0x81, 0xfe, 0x01, 0x00, 0x01, 0x02, 0x03, 0x04});
    for (std::size_t n = 0; n < frame.size(); ++n) EXPECT_FALSE(ws::parse_header(frame.data(), n)) << n;
    const auto h = ws::parse_header(frame.data(), frame.size());
    ASSERT_TRUE(h);
    EXPECT_EQ(h->length, 256u);
    EXPECT_EQ(h->size, 8u);
}

TEST(ws_frame, reads_64_bit_lengths_reserved_bits_and_control_opcodes) {
    auto frame = bytes({0xc9, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 9, 9, 9, 9});
    const auto h = ws::parse_header(frame.data(), frame.size());
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->reserved_bits);
    EXPECT_TRUE(h->is_control());
    EXPECT_EQ(h->length, 1ull << 32);
    EXPECT_EQ(h->size, 14u);
}

TEST(ws_frame, encodes_the_three_length_forms) {
    std::uint8_t out[ws::max_header_size];
    ASSERT_EQ(ws::encode_header(out, ws::opcode::text, 125), 2u);
    EXPECT_EQ(out[0], 0x81);
    EXPECT_EQ(out[1], 125);
    ASSERT_EQ(ws::encode_header(out, ws::opcode::text, 126), 4u);
    EXPECT_EQ(out[1], 126);
    EXPECT_EQ(out[2], 0);
    EXPECT_EQ(out[3], 126);
    ASSERT_EQ(ws::encode_header(out, ws::opcode::close, 70000), 10u);
    EXPECT_EQ(out[0], 0x88);
    EXPECT_EQ(out[1], 127);
    const auto h = ws::parse_header(out, 10);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->length, 70000u);
    EXPECT_FALSE(h->masked);
}

TEST(ws_frame, close_payloads_carry_code_and_a_short_reason) {
    const std::string p = ws::close_payload(4001, "token expired");
    EXPECT_EQ(ws::parse_close_payload(p), 4001);
    EXPECT_EQ(p.size(), 2 + std::string("token expired").size());
    EXPECT_EQ(ws::close_payload(1000, std::string(300, 'x')).size(), 125u);
    EXPECT_EQ(ws::parse_close_payload(""), 1005);
}

TEST(ws_frame, malformed_close_payloads_are_refused) {
    EXPECT_FALSE(ws::parse_close_payload(std::string(1, '\x03')));
    EXPECT_FALSE(ws::parse_close_payload(ws::close_payload(1005, "")));  // reserved: never sent
    EXPECT_FALSE(ws::parse_close_payload(ws::close_payload(999, "")));
    EXPECT_FALSE(ws::parse_close_payload(ws::close_payload(1000, "\xff\xfe")));
    EXPECT_EQ(ws::parse_close_payload(ws::close_payload(3000, "ok")), 3000);
}

#pragma once
// The WebSocket wire format (RFC 6455) as the server needs it: the opening handshake's accept
// key, client frame headers to parse, server frame headers to write. No extensions are
// negotiated, so the reserved bits must be zero.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace writeen::server::ws {

enum class opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

/// Close codes the server sends (RFC 6455 §7.4.1).
namespace close_code {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t invalid_payload = 1007;
inline constexpr std::uint16_t policy_violation = 1008;
inline constexpr std::uint16_t too_big = 1009;
}  // namespace close_code

/// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key.
std::string accept_key(std::string_view client_key);
/// True for a Sec-WebSocket-Key the RFC allows: base64 of 16 bytes.
bool valid_client_key(std::string_view client_key);

struct frame_header {
    bool fin = false;
    bool reserved_bits = false;  // any of RSV1..3 set
    std::uint8_t opcode = 0;     // as sent, possibly not an opcode at all
    bool masked = false;
    std::uint64_t length = 0;
    std::array<std::uint8_t, 4> mask{};
    std::size_t size = 0;  // bytes of the header itself

    bool is_control() const { return (opcode & 0x8) != 0; }
};

/// The header at the start of data, or nothing while its bytes are incomplete.
std::optional<frame_header> parse_header(const std::uint8_t* data, std::size_t size);

/// XORs a client payload with its mask; offset is where data starts within the payload.
void unmask(char* data, std::size_t size, const std::array<std::uint8_t, 4>& mask, std::uint64_t offset = 0);

/// The largest header the server writes: 2 bytes, then a 64-bit length.
inline constexpr std::size_t max_header_size = 10;

/// Writes the header of one unfragmented, unmasked server frame; returns its size.
std::size_t encode_header(std::uint8_t* out, opcode op, std::uint64_t length);

/// The payload of a close frame: the code, then at most 123 bytes of reason.
std::string close_payload(std::uint16_t code, std::string_view reason);

/// The code of a received close payload: 1005 ("no status") when it carries none, nothing when it
/// is malformed (one byte, a code no endpoint may send, or a reason that is not UTF-8).
std::optional<std::uint16_t> parse_close_payload(std::string_view payload);

}  // namespace writeen::server::ws

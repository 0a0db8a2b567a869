#include "net/ws_frame.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>

#include "auth/utf8.hpp"

namespace writeen::server::ws {
namespace {

constexpr std::string_view handshake_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

}  // namespace

std::string accept_key(std::string_view client_key) {
    std::string input;
    input.reserve(client_key.size() + handshake_guid.size());
    input.append(client_key).append(handshake_guid);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
    unsigned char encoded[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
    const int n = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
    return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(n));
}

bool valid_client_key(std::string_view key) {
    // 16 bytes in base64: 22 characters of the alphabet and "==".
    if (key.size() != 24 || key.substr(22) != "==") return false;
    return std::all_of(key.begin(), key.begin() + 22, [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    });
}

std::optional<frame_header> parse_header(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return std::nullopt;
    frame_header h;
    h.fin = (data[0] & 0x80) != 0;
    h.reserved_bits = (data[0] & 0x70) != 0;
    h.opcode = data[0] & 0x0f;
    h.masked = (data[1] & 0x80) != 0;
    std::size_t pos = 2;
    const std::uint8_t short_length = data[1] & 0x7f;
    if (short_length == 126) {
        if (size < pos + 2) return std::nullopt;
        h.length = (std::uint64_t{data[2]} << 8) | data[3];
        pos += 2;
    } else if (short_length == 127) {
        if (size < pos + 8) return std::nullopt;
        h.length = 0;
        for (int i = 0; i < 8; ++i) h.length = (h.length << 8) | data[pos + static_cast<std::size_t>(i)];
        pos += 8;
    } else {
        h.length = short_length;
    }
    if (h.masked) {
        if (size < pos + 4) return std::nullopt;
        std::copy(data + pos, data + pos + 4, h.mask.begin());
        pos += 4;
    }
    h.size = pos;
    return h;
}

void unmask(char* data, std::size_t size, const std::array<std::uint8_t, 4>& mask, std::uint64_t offset) {
    for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<char>(data[i] ^ mask[(offset + i) & 3]);
}

std::size_t encode_header(std::uint8_t* out, opcode op, std::uint64_t length) {
    out[0] = static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(op));
    if (length < 126) {
        out[1] = static_cast<std::uint8_t>(length);
        return 2;
    }
    if (length <= 0xffff) {
        out[1] = 126;
        out[2] = static_cast<std::uint8_t>(length >> 8);
        out[3] = static_cast<std::uint8_t>(length);
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<std::uint8_t>(length >> (56 - 8 * i));
    return 10;
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
    std::string out;
    out.push_back(static_cast<char>(code >> 8));
    out.push_back(static_cast<char>(code & 0xff));
    out.append(reason.substr(0, 123));
    return out;
}

std::optional<std::uint16_t> parse_close_payload(std::string_view payload) {
    if (payload.empty()) return std::uint16_t{1005};
    if (payload.size() == 1) return std::nullopt;
    const auto code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                                 static_cast<std::uint8_t>(payload[1]));
    // Codes below 1000, the reserved 1004-1006 and 1015, and the unassigned 1016-2999.
    const bool allowed = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    if (!allowed || !auth::utf8_length(payload.substr(2))) return std::nullopt;
    return code;
}

}  // namespace writeen::server::ws

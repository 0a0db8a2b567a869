// The WebSocket wire format a client controls: frame headers, masking and close payloads.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "net/ws_frame.hpp"

using namespace writeen::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (auto header = ws::parse_header(data, size)) {
        // A parsed header never claims more header bytes than it was given.
        if (header->size > size || header->size < 2 || header->size > 14) std::abort();
        std::string payload(reinterpret_cast<const char*>(data) + header->size, size - header->size);
        ws::unmask(payload.data(), payload.size(), header->mask, header->length % 7);
        if (header->opcode == static_cast<std::uint8_t>(ws::opcode::close)) (void)ws::parse_close_payload(payload);
    }
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto code = ws::parse_close_payload(text)) {
        // Whatever code is accepted can be written back.
        if (ws::close_payload(*code == 1005 ? 1000 : *code, {}).size() != 2) std::abort();
    }
    if (ws::valid_client_key(text) && ws::accept_key(text).size() != 28) std::abort();
    return 0;
}

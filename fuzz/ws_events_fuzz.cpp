// WebSocket events as a client sends them, through the real handler, chat service and an SQLite
// store: every frame gets an answer that is a JSON event, nothing throws out of the handler.
// Each input is a sequence of frames separated by newlines; "$C" in a frame stands for the id of
// a conversation the fuzzing user is in, so mutations reach the handlers behind the access checks.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "chat_fixture.hpp"

using namespace writeen;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::chat_server server;
    static http::ws_api api(*server.service, server.metrics);
    static const auto client = [] {
        auto c = std::make_shared<fuzz::checking_client>(1, server.student);
        api.opened(c, nullptr);  // the local bus registers at once
        return c;
    }();
    std::string_view input(reinterpret_cast<const char*>(data), size);
    for (int frames = 0; !input.empty() && frames < 16; ++frames) {
        const auto end = input.find('\n');
        api.frame(client, fuzz::substitute(input.substr(0, end), 'C', server.conversation_id));
        input = end == std::string_view::npos ? std::string_view{} : input.substr(end + 1);
    }
    server.drain();
    return 0;
}

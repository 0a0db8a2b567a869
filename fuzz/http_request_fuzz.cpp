// HTTP requests as they come off the socket: Beast's parser with the server's limits, then the
// REST API over the real chat service and SQLite store. Every parsed request gets an answer with
// a status between 200 and 599, and handle() never throws.
// "$T" in the input stands for a valid bearer token of the fuzzing user and "$C" for a
// conversation of theirs, so mutations reach the handlers behind authentication and access checks.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/http.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>

#include "auth/token_minter.hpp"
#include "auth/token_verifier.hpp"
#include "chat_fixture.hpp"
#include "http/rest_api.hpp"

using namespace writeen;
namespace bhttp = boost::beast::http;

namespace {

constexpr const char* secret = "fuzzing-secret-of-at-least-32-bytes!!";

struct rest_fixture {
    fuzz::chat_server server;
    auth::token_verifier verifier{{.key = secret}};
    http::rest_api api{*server.service, verifier, server.metrics, server.bus, {}};
    std::string token = auth::mint_token({.secret = secret,
                                          .subject = server.student.user_id,
                                          .name = server.student.name,
                                          .issued_at_ms = now_ms(),
                                          .lifetime = std::chrono::hours(24 * 365)});
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static rest_fixture fixture;
    const std::string input = fuzz::substitute(
        fuzz::substitute(std::string_view(reinterpret_cast<const char*>(data), size), 'T', fixture.token), 'C',
        fixture.server.conversation_id);

    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(1024 * 1024);
    parser.eager(true);
    boost::system::error_code ec;
    parser.put(boost::asio::buffer(input), ec);
    if (ec || !parser.is_done()) return 0;
    const http::raw_request request = parser.release();

    boost::asio::io_context io;
    std::optional<http::response> answer;
    boost::asio::co_spawn(io, fixture.api.handle(request), [&](std::exception_ptr e, http::response r) {
        if (e) std::abort();  // handle() never throws
        answer = std::move(r);
    });
    io.run();
    fixture.server.drain();
    if (!answer) std::abort();
    const unsigned status = answer->result_int();
    if (status < 200 || status > 599) std::abort();
    // A HEAD answer keeps GET's body here: net/http_session writes only its header
    // (tests/integration/head.test.js checks that on the wire).
    return 0;
}

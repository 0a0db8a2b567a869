// Saved transcripts checked offline (`writeen-chat verify-transcript`): any JSON document gets a
// verdict, never an exception or a crash.
#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "transcripts/transcript.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    boost::system::error_code ec;
    const auto doc = boost::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
    if (ec) return 0;
    const auto verdict = writeen::transcripts::verify(doc, {});
    if (!verdict.valid && verdict.problem.empty()) std::abort();  // a rejection says why
    if (verdict.signature_checked) std::abort();                  // no key was given
    return 0;
}

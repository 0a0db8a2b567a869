#include "app/verify_transcript.hpp"

#include <fstream>
#include <iterator>
#include <ostream>

#include <boost/json/parse.hpp>

#include "transcripts/transcript.hpp"

namespace writeen::app {
namespace {

bool read_all(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return true;
}

}  // namespace

int verify_transcript(const std::string& file, const std::string& public_key_file, std::ostream& out,
                      std::ostream& err) {
    std::string text, pem;
    if (!read_all(file, text)) {
        err << "writeen-chat verify-transcript: cannot read " << file << "\n";
        return 2;
    }
    if (!public_key_file.empty() && !read_all(public_key_file, pem)) {
        err << "writeen-chat verify-transcript: cannot read " << public_key_file << "\n";
        return 2;
    }
    boost::system::error_code ec;
    auto doc = boost::json::parse(text, ec);
    if (ec) {
        err << "invalid: " << file << " is not JSON (" << ec.message() << ")\n";
        return 1;
    }
    const auto result = transcripts::verify(doc, pem);
    if (!result.valid) {
        err << "invalid: " << result.problem << "\n";
        return 1;
    }
    out << "valid\n";
    if (!result.signature_checked)
        err << "note: the signature was not checked (no --public-key); the hash chain is intact\n";
    return 0;
}

}  // namespace writeen::app

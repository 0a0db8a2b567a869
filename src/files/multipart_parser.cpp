#include "files/multipart_parser.hpp"

#include "files/file_errors.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace writeen::files {
namespace {

// RFC 2046 allows transport padding (spaces, tabs) after a boundary; more than this is abuse.
constexpr std::size_t max_transport_padding = 128;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool is_boundary_char(char c) {
    // RFC 2046 bchars.
    static constexpr std::string_view specials = "'()+_,-./:=? ";
    return std::isalnum(static_cast<unsigned char>(c)) || specials.find(c) != std::string_view::npos;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// A `;`-separated parameter list (`a=b; c="d"`) as used by Content-Type and
// Content-Disposition. Calls fn(name, value) for each; returns false on a syntax error.
template <typename Fn>
bool for_each_parameter(std::string_view params, Fn&& fn) {
    std::size_t i = 0;
    while (i < params.size()) {
        while (i < params.size() && (params[i] == ' ' || params[i] == '\t' || params[i] == ';')) ++i;
        if (i == params.size()) break;
        const std::size_t eq = params.find('=', i);
        if (eq == std::string_view::npos) return false;
        const std::string_view name = trim(params.substr(i, eq - i));
        if (name.empty()) return false;
        i = eq + 1;
        while (i < params.size() && (params[i] == ' ' || params[i] == '\t')) ++i;
        std::string value;
        if (i < params.size() && params[i] == '"') {
            ++i;
            bool closed = false;
            while (i < params.size()) {
                const char c = params[i++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                // Browsers send Windows paths with bare backslashes, so only \" and \\ are
                // treated as escapes (as curl writes them); any other backslash is literal.
                if (c == '\\' && i < params.size() && (params[i] == '"' || params[i] == '\\')) {
                    value.push_back(params[i++]);
                    continue;
                }
                value.push_back(c);
            }
            if (!closed) return false;
        } else {
            const std::size_t end = std::min(params.find(';', i), params.size());
            value = std::string(trim(params.substr(i, end - i)));
            i = end;
        }
        fn(name, std::move(value));
    }
    return true;
}

// RFC 5987 ext-value: charset'language'percent-encoded. Only UTF-8 is accepted.
std::optional<std::string> decode_ext_value(std::string_view v) {
    const std::size_t q1 = v.find('\'');
    if (q1 == std::string_view::npos) return std::nullopt;
    const std::size_t q2 = v.find('\'', q1 + 1);
    if (q2 == std::string_view::npos) return std::nullopt;
    if (!iequals(v.substr(0, q1), "utf-8")) return std::nullopt;
    std::string out;
    for (std::size_t i = q2 + 1; i < v.size(); ++i) {
        if (v[i] != '%') {
            out.push_back(v[i]);
            continue;
        }
        if (i + 2 >= v.size()) return std::nullopt;
        const int hi = hex_value(v[i + 1]);
        const int lo = hex_value(v[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return out;
}

}  // namespace

std::optional<std::string> multipart_parser::boundary_from_content_type(std::string_view content_type) {
    const std::size_t semi = content_type.find(';');
    if (!iequals(trim(content_type.substr(0, semi)), "multipart/form-data")) return std::nullopt;
    if (semi == std::string_view::npos) return std::nullopt;
    std::optional<std::string> boundary;
    const bool ok = for_each_parameter(content_type.substr(semi + 1), [&](std::string_view name, std::string value) {
        if (iequals(name, "boundary") && !boundary) boundary = std::move(value);
    });
    if (!ok || !boundary || boundary->empty() || boundary->size() > 70) return std::nullopt;
    if (!std::all_of(boundary->begin(), boundary->end(), is_boundary_char) || boundary->back() == ' ') {
        return std::nullopt;
    }
    return boundary;
}

multipart_parser::multipart_parser(std::string boundary, callbacks cb)
    : multipart_parser(std::move(boundary), std::move(cb), limits{}) {}

multipart_parser::multipart_parser(std::string boundary, callbacks cb, limits lim)
    : delimiter_("\r\n--" + boundary), cb_(std::move(cb)), limits_(lim) {
    if (boundary.empty() || boundary.size() > 70) throw multipart_error("invalid multipart boundary");
    // The first boundary may open the body without a preceding line break; pretending the body
    // starts with one lets every boundary be found by the same delimiter search.
    buffer_ = "\r\n";
}

void multipart_parser::fail(const std::string& why) {
    state_ = state::failed;
    buffer_.clear();
    buffer_.shrink_to_fit();
    throw multipart_error(why);
}

void multipart_parser::feed(std::string_view chunk) {
    if (state_ == state::failed) throw multipart_error("multipart parser used after an error");
    if (state_ == state::epilogue || chunk.empty()) return;
    buffer_.append(chunk);
    try {
        parse();
    } catch (...) {
        // A callback (e.g. a size limit) or the parser itself gave up: nothing more is accepted.
        state_ = state::failed;
        buffer_.clear();
        throw;
    }
}

void multipart_parser::finish() {
    if (state_ == state::failed) throw multipart_error("multipart parser used after an error");
    if (state_ != state::epilogue) fail("multipart body ended before its closing boundary");
}

void multipart_parser::parse() {
    bool progress = true;
    while (progress) {
        switch (state_) {
            case state::preamble: progress = parse_preamble(); break;
            case state::after_boundary: progress = parse_after_boundary(); break;
            case state::headers: progress = parse_headers(); break;
            case state::body: progress = parse_body(); break;
            case state::epilogue:
                buffer_.clear();
                progress = false;
                break;
            case state::failed: progress = false; break;
        }
    }
}

bool multipart_parser::parse_preamble() {
    const std::size_t pos = buffer_.find(delimiter_);
    if (pos == std::string::npos) {
        // The preamble is ignored; keep only what could be the start of the delimiter.
        const std::size_t keep = std::min(buffer_.size(), delimiter_.size() - 1);
        buffer_.erase(0, buffer_.size() - keep);
        return false;
    }
    buffer_.erase(0, pos + delimiter_.size());
    state_ = state::after_boundary;
    return true;
}

bool multipart_parser::parse_after_boundary() {
    if (buffer_.size() < 2) return false;
    if (buffer_.compare(0, 2, "--") == 0) {
        state_ = state::epilogue;
        buffer_.clear();
        return false;
    }
    std::size_t i = 0;
    while (i < buffer_.size() && (buffer_[i] == ' ' || buffer_[i] == '\t')) ++i;
    if (i > max_transport_padding) fail("multipart boundary followed by too much padding");
    if (buffer_.size() - i < 2) return false;
    if (buffer_.compare(i, 2, "\r\n") != 0) fail("multipart boundary not followed by a line break");
    buffer_.erase(0, i + 2);
    state_ = state::headers;
    return true;
}

bool multipart_parser::parse_headers() {
    std::size_t block_end = 0;
    std::size_t consumed = 0;
    if (buffer_.size() >= 2 && buffer_.compare(0, 2, "\r\n") == 0) {
        consumed = 2;  // a part without headers; rejected below for lacking a name
    } else {
        const std::size_t pos = buffer_.find("\r\n\r\n");
        if (pos == std::string::npos) {
            if (buffer_.size() > limits_.max_header_bytes) fail("multipart part headers too large");
            return false;
        }
        block_end = pos;
        consumed = pos + 4;
    }
    if (block_end > limits_.max_header_bytes) fail("multipart part headers too large");
    if (++parts_ > limits_.max_parts) fail("too many parts in multipart body");
    const part_headers headers = parse_header_block(std::string_view(buffer_).substr(0, block_end));
    buffer_.erase(0, consumed);
    state_ = state::body;
    in_part_ = true;
    if (cb_.on_part_begin) cb_.on_part_begin(headers);
    return true;
}

part_headers multipart_parser::parse_header_block(std::string_view block) const {
    part_headers out;
    bool has_disposition = false;
    while (!block.empty()) {
        const std::size_t eol = std::min(block.find("\r\n"), block.size());
        const std::string_view line = block.substr(0, eol);
        block.remove_prefix(std::min(eol + 2, block.size()));
        if (line.empty() || line.front() == ' ' || line.front() == '\t') {
            throw multipart_error("malformed multipart header line");
        }
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) throw multipart_error("malformed multipart header line");
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trim(line.substr(colon + 1));
        if (std::any_of(value.begin(), value.end(), [](char c) { return c == '\0' || c == '\r' || c == '\n'; })) {
            throw multipart_error("control character in multipart header");
        }
        if (iequals(name, "content-type")) {
            out.content_type = std::string(value);
        } else if (iequals(name, "content-disposition")) {
            if (has_disposition) throw multipart_error("duplicate Content-Disposition in multipart part");
            has_disposition = true;
            const std::size_t semi = value.find(';');
            if (!iequals(trim(value.substr(0, semi)), "form-data")) {
                throw multipart_error("multipart part is not form-data");
            }
            std::optional<std::string> name_param;
            std::optional<std::string> filename_ext;
            const bool ok = semi == std::string_view::npos ||
                            for_each_parameter(value.substr(semi + 1), [&](std::string_view key, std::string v) {
                                if (iequals(key, "name") && !name_param) {
                                    name_param = std::move(v);
                                } else if (iequals(key, "filename") && !out.filename) {
                                    out.filename = std::move(v);
                                } else if (iequals(key, "filename*") && !filename_ext) {
                                    filename_ext = decode_ext_value(v);
                                    if (!filename_ext) throw multipart_error("malformed filename* in multipart part");
                                }
                            });
            if (!ok) throw multipart_error("malformed Content-Disposition in multipart part");
            if (!name_param) throw multipart_error("multipart part without a name");
            out.name = std::move(*name_param);
            // RFC 6266: the extended form wins where both are given.
            if (filename_ext) out.filename = std::move(filename_ext);
        }
    }
    if (!has_disposition) throw multipart_error("multipart part without Content-Disposition");
    return out;
}

bool multipart_parser::parse_body() {
    const std::size_t pos = buffer_.find(delimiter_);
    if (pos != std::string::npos) {
        if (pos > 0 && cb_.on_part_data) cb_.on_part_data(std::string_view(buffer_).substr(0, pos));
        buffer_.erase(0, pos + delimiter_.size());
        in_part_ = false;
        state_ = state::after_boundary;
        if (cb_.on_part_end) cb_.on_part_end();
        return true;
    }
    // Hold back only a tail that could still become the delimiter, so data flows out promptly
    // and the buffer never grows beyond one chunk plus the delimiter length.
    std::size_t keep = 0;
    for (std::size_t k = std::min(buffer_.size(), delimiter_.size() - 1); k > 0; --k) {
        if (buffer_.compare(buffer_.size() - k, k, delimiter_, 0, k) == 0) {
            keep = k;
            break;
        }
    }
    const std::size_t emit = buffer_.size() - keep;
    if (emit > 0) {
        if (cb_.on_part_data) cb_.on_part_data(std::string_view(buffer_).substr(0, emit));
        buffer_.erase(0, emit);
    }
    return false;
}

}  // namespace writeen::files

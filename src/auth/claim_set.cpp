#include "auth/claim_set.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

#include "auth/utf8.hpp"

namespace writeen::auth {
namespace {

// Recursive descent over the whole grammar of RFC 8259. Every function returns false on the
// first error; the caller then discards everything, so no partial state needs unwinding.
class json_reader {
  public:
    explicit json_reader(std::string_view text) : text_(text) {}

    bool read_object(std::vector<std::pair<std::string, claim_value>>& members) {
        skip_whitespace();
        if (!consume('{')) return false;
        skip_whitespace();
        if (!consume('}')) {
            for (;;) {
                skip_whitespace();
                // Bounds the duplicate check below, which runs before any signature is known good.
                if (members.size() == claim_set::max_members) return false;
                std::string name;
                if (!read_string(name)) return false;
                for (const auto& member : members)
                    // Parsers disagree on which duplicate wins; refusing is the only safe reading.
                    if (member.first == name) return false;
                skip_whitespace();
                if (!consume(':')) return false;
                skip_whitespace();
                claim_value value;
                if (!read_member_value(value)) return false;
                members.emplace_back(std::move(name), std::move(value));
                skip_whitespace();
                if (consume('}')) break;
                if (!consume(',')) return false;
            }
        }
        skip_whitespace();
        return pos_ == text_.size();
    }

  private:
    bool at_end() const { return pos_ >= text_.size(); }
    char peek() const { return text_[pos_]; }

    bool consume(char c) {
        if (at_end() || peek() != c) return false;
        ++pos_;
        return true;
    }

    bool consume_literal(std::string_view literal) {
        if (text_.substr(pos_, literal.size()) != literal) return false;
        pos_ += literal.size();
        return true;
    }

    void skip_whitespace() {
        while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++pos_;
    }

    bool read_member_value(claim_value& out) {
        if (at_end()) return false;
        switch (peek()) {
            case '"': {
                std::string s;
                if (!read_string(s)) return false;
                out = std::move(s);
                return true;
            }
            case '[':
                return read_top_level_array(out);
            case '{':
                out = structured_value{};
                return skip_value(1);
            case 't':
                out = true;
                return consume_literal("true");
            case 'f':
                out = false;
                return consume_literal("false");
            case 'n':
                out = nullptr;
                return consume_literal("null");
            default: {
                double number = 0;
                if (!read_number(number)) return false;
                out = number;
                return true;
            }
        }
    }

    // `aud` may be an array of strings, so top-level arrays of strings are kept.
    bool read_top_level_array(claim_value& out) {
        ++pos_;  // '['
        std::vector<std::string> strings;
        bool only_strings = true;
        skip_whitespace();
        if (!consume(']')) {
            for (;;) {
                skip_whitespace();
                if (!at_end() && peek() == '"') {
                    std::string s;
                    if (!read_string(s)) return false;
                    strings.push_back(std::move(s));
                } else {
                    only_strings = false;
                    if (!skip_value(2)) return false;
                }
                skip_whitespace();
                if (consume(']')) break;
                if (!consume(',')) return false;
            }
        }
        if (only_strings)
            out = std::move(strings);
        else
            out = structured_value{};
        return true;
    }

    // Validates one value at nesting `depth` (the top-level object is depth 0) and drops it.
    bool skip_value(int depth) {
        if (depth > claim_set::max_depth || at_end()) return false;
        switch (peek()) {
            case '"': {
                std::string ignored;
                return read_string(ignored);
            }
            case '{': {
                ++pos_;
                skip_whitespace();
                if (consume('}')) return true;
                for (;;) {
                    skip_whitespace();
                    std::string ignored;
                    if (!read_string(ignored)) return false;
                    skip_whitespace();
                    if (!consume(':')) return false;
                    skip_whitespace();
                    if (!skip_value(depth + 1)) return false;
                    skip_whitespace();
                    if (consume('}')) return true;
                    if (!consume(',')) return false;
                }
            }
            case '[': {
                ++pos_;
                skip_whitespace();
                if (consume(']')) return true;
                for (;;) {
                    skip_whitespace();
                    if (!skip_value(depth + 1)) return false;
                    skip_whitespace();
                    if (consume(']')) return true;
                    if (!consume(',')) return false;
                }
            }
            case 't':
                return consume_literal("true");
            case 'f':
                return consume_literal("false");
            case 'n':
                return consume_literal("null");
            default: {
                double ignored = 0;
                return read_number(ignored);
            }
        }
    }

    bool read_hex4(char32_t& out) {
        if (text_.size() - pos_ < 4) return false;
        out = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = text_[pos_++];
            out <<= 4;
            if (c >= '0' && c <= '9')
                out |= static_cast<char32_t>(c - '0');
            else if (c >= 'a' && c <= 'f')
                out |= static_cast<char32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                out |= static_cast<char32_t>(c - 'A' + 10);
            else
                return false;
        }
        return true;
    }

    bool read_escape(std::string& out) {
        if (at_end()) return false;
        const char c = text_[pos_++];
        switch (c) {
            case '"':
                out.push_back('"');
                return true;
            case '\\':
                out.push_back('\\');
                return true;
            case '/':
                out.push_back('/');
                return true;
            case 'b':
                out.push_back('\b');
                return true;
            case 'f':
                out.push_back('\f');
                return true;
            case 'n':
                out.push_back('\n');
                return true;
            case 'r':
                out.push_back('\r');
                return true;
            case 't':
                out.push_back('\t');
                return true;
            case 'u':
                break;
            default:
                return false;
        }
        char32_t cp = 0;
        if (!read_hex4(cp)) return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate with no high one
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            // Lone surrogates cannot be written as UTF-8; a pair stands for one code point.
            char32_t low = 0;
            if (!consume('\\') || !consume('u') || !read_hex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(out, cp);
        return true;
    }

    bool read_string(std::string& out) {
        if (!consume('"')) return false;
        for (;;) {
            if (at_end()) return false;
            const auto c = static_cast<unsigned char>(peek());
            if (c == '"') {
                ++pos_;
                return true;
            }
            if (c == '\\') {
                ++pos_;
                if (!read_escape(out)) return false;
            } else if (c < 0x20) {
                return false;  // control characters must be escaped
            } else if (c < 0x80) {
                out.push_back(static_cast<char>(c));
                ++pos_;
            } else {
                const std::size_t start = pos_;
                if (!read_utf8(text_, pos_)) return false;
                out.append(text_.substr(start, pos_ - start));
            }
        }
    }

    bool digits() {
        const std::size_t start = pos_;
        while (!at_end() && peek() >= '0' && peek() <= '9') ++pos_;
        return pos_ > start;
    }

    bool read_number(double& out) {
        const std::size_t start = pos_;
        consume('-');
        if (consume('0')) {
            // RFC 8259 forbids leading zeros: "01" is not a number.
        } else if (!at_end() && peek() >= '1' && peek() <= '9') {
            digits();
        } else {
            return false;
        }
        if (consume('.') && !digits()) return false;
        if (!at_end() && (peek() == 'e' || peek() == 'E')) {
            ++pos_;
            if (!consume('+')) consume('-');
            if (!digits()) return false;
        }
        const char* first = text_.data() + start;
        const char* last = text_.data() + pos_;
        const auto [end, ec] = std::from_chars(first, last, out);
        return ec == std::errc{} && end == last && std::isfinite(out);
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

}  // namespace

std::optional<claim_set> claim_set::parse(std::string_view json) {
    claim_set result;
    json_reader reader(json);
    if (!reader.read_object(result.members_)) return std::nullopt;
    return result;
}

const claim_value* claim_set::find(std::string_view name) const {
    for (const auto& member : members_)
        if (member.first == name) return &member.second;
    return nullptr;
}

bool claim_set::has(std::string_view name) const {
    const claim_value* value = find(name);
    return value != nullptr && !std::holds_alternative<std::nullptr_t>(*value);
}

const std::string* claim_set::string(std::string_view name) const {
    const claim_value* value = find(name);
    return value == nullptr ? nullptr : std::get_if<std::string>(value);
}

}  // namespace writeen::auth

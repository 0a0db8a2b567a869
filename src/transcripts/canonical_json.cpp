#include "transcripts/canonical_json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

namespace writeen::transcripts {
namespace json = boost::json;
namespace {

/// UTF-16 code units of a UTF-8 name, the order RFC 8785 sorts members in. Boost.JSON keeps
/// only valid UTF-8, so the decoding needs no error path.
std::u16string utf16_of(std::string_view s) {
    std::u16string out;
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        char32_t cp = 0;
        int extra = 0;
        if (c < 0x80) cp = c;
        else if ((c >> 5) == 0x6) { cp = c & 0x1F; extra = 1; }
        else if ((c >> 4) == 0xE) { cp = c & 0x0F; extra = 2; }
        else { cp = c & 0x07; extra = 3; }
        ++i;
        for (int k = 0; k < extra && i < s.size(); ++k, ++i) cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out += static_cast<char16_t>(0xD800 + (cp >> 10));
            out += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
        } else {
            out += static_cast<char16_t>(cp);
        }
    }
    return out;
}

void write_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += hex[c >> 4];
                    out += hex[c & 0xF];
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += '"';
}

void write_value(std::string& out, const json::value& v) {
    switch (v.kind()) {
        case json::kind::null: out += "null"; return;
        case json::kind::bool_: out += v.get_bool() ? "true" : "false"; return;
        case json::kind::int64: out += std::to_string(v.get_int64()); return;
        case json::kind::uint64: out += std::to_string(v.get_uint64()); return;
        case json::kind::double_: out += ecmascript_number(v.get_double()); return;
        case json::kind::string: write_string(out, v.get_string()); return;
        case json::kind::array: {
            out += '[';
            bool first = true;
            for (const auto& e : v.get_array()) {
                if (!first) out += ',';
                first = false;
                write_value(out, e);
            }
            out += ']';
            return;
        }
        case json::kind::object: {
            std::vector<std::pair<std::u16string, const json::key_value_pair*>> members;
            members.reserve(v.get_object().size());
            for (const auto& kv : v.get_object()) members.emplace_back(utf16_of(kv.key()), &kv);
            std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
            out += '{';
            bool first = true;
            for (const auto& [name, kv] : members) {
                if (!first) out += ',';
                first = false;
                write_string(out, kv->key());
                out += ':';
                write_value(out, kv->value());
            }
            out += '}';
            return;
        }
    }
}

}  // namespace

std::string ecmascript_number(double d) {
    if (!std::isfinite(d)) throw std::invalid_argument("JSON has no NaN or infinity");
    if (d == 0) return "0";
    // The shortest digits that round-trip, in scientific form: d.ddde±x.
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    if (ec != std::errc{}) throw std::invalid_argument("number does not print");
    std::string_view text(buf, static_cast<std::size_t>(end - buf));
    std::string sign;
    if (text.front() == '-') {
        sign = "-";
        text.remove_prefix(1);
    }
    const auto e = text.find('e');
    std::string digits;
    for (char c : text.substr(0, e))
        if (c != '.') digits += c;
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
    int exponent = 0;
    std::from_chars(text.data() + e + 1 + (text[e + 1] == '+' ? 1 : 0), text.data() + text.size(), exponent);
    const int k = static_cast<int>(digits.size());
    const int n = exponent + 1;  // d = 0.digits × 10^n
    if (k <= n && n <= 21) return sign + digits + std::string(static_cast<std::size_t>(n - k), '0');
    if (0 < n && n <= 21) return sign + digits.substr(0, static_cast<std::size_t>(n)) + "." + digits.substr(static_cast<std::size_t>(n));
    if (-6 < n && n <= 0) return sign + "0." + std::string(static_cast<std::size_t>(-n), '0') + digits;
    const int shown = n - 1;
    std::string out = sign + digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    return out + "e" + (shown < 0 ? "-" : "+") + std::to_string(shown < 0 ? -shown : shown);
}

std::string canonical_json(const json::value& v) {
    std::string out;
    write_value(out, v);
    return out;
}

}  // namespace writeen::transcripts

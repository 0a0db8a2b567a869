#include "http/byte_range.hpp"

#include <algorithm>
#include <limits>
#include <optional>

namespace writeen::http {

byte_range byte_range::parse(std::string_view value, std::uint64_t size) {
    const byte_range whole{};
    const byte_range unsatisfiable{kind::unsatisfiable, 0, 0};
    if (!value.starts_with("bytes=")) return whole;
    value.remove_prefix(6);
    if (value.find(',') != std::string_view::npos) return whole;
    const auto dash = value.find('-');
    if (dash == std::string_view::npos) return whole;
    const std::string_view a = value.substr(0, dash), b = value.substr(dash + 1);
    // Digits of any length; a value past 64 bits saturates to the largest one, which is past
    // the end of any body, so a huge first byte is 416 like any other start beyond the end.
    const auto number = [](std::string_view s) -> std::optional<std::uint64_t> {
        if (s.empty()) return std::nullopt;
        constexpr std::uint64_t largest = std::numeric_limits<std::uint64_t>::max();
        std::uint64_t n = 0;
        for (char c : s) {
            if (c < '0' || c > '9') return std::nullopt;
            const auto digit = static_cast<std::uint64_t>(c - '0');
            n = n > (largest - digit) / 10 ? largest : n * 10 + digit;
        }
        return n;
    };
    if (a.empty()) {  // suffix: the last n bytes
        auto n = number(b);
        if (!n) return whole;
        if (*n == 0 || size == 0) return unsatisfiable;
        return {kind::partial, size - std::min(*n, size), size - 1};
    }
    auto first = number(a);
    if (!first) return whole;
    std::uint64_t last = size == 0 ? 0 : size - 1;
    if (!b.empty()) {
        auto l = number(b);
        if (!l || *l < *first) return whole;
        last = std::min(*l, last);
    }
    if (*first >= size) return unsatisfiable;
    return {kind::partial, *first, last};
}

bool etag_matches(const raw_request& req, bhttp::field f, const std::string& etag) {
    auto it = req.find(f);
    if (it == req.end()) return false;
    const std::string_view v = it->value();
    if (v == "*") return true;
    std::size_t pos = 0;
    while (pos < v.size()) {
        auto comma = v.find(',', pos);
        std::string_view tag = v.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
        while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
        if (tag.starts_with("W/")) tag.remove_prefix(2);
        if (tag == etag) return true;
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    return false;
}

}  // namespace writeen::http

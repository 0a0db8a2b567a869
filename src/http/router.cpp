#include "http/router.hpp"

namespace writeen::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t start = 1;
    while (start <= path.size()) {
        const std::size_t end = path.find('/', start);
        const std::size_t stop = end == std::string_view::npos ? path.size() : end;
        out.push_back(path.substr(start, stop - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (s[i] == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::optional<std::string_view> request::query_value(std::string_view key) const {
    for (const auto& [k, v] : query)
        if (k == key) return std::string_view(v);
    return std::nullopt;
}

void router::add(bhttp::verb method, std::string_view pattern, handler h, bool authenticated) {
    route r{method, {}, std::move(h), authenticated};
    for (auto segment : split_path(pattern)) r.segments.emplace_back(segment);
    routes_.push_back(std::move(r));
}

std::vector<std::string> router::patterns() const {
    std::vector<std::string> out;
    out.reserve(routes_.size());
    for (const auto& r : routes_) {
        std::string pattern{bhttp::to_string(r.method)};
        pattern += ' ';
        for (const auto& segment : r.segments) pattern += "/" + segment;
        out.push_back(std::move(pattern));
    }
    return out;
}

router::match router::find(bhttp::verb method, std::string_view path) const {
    match result;
    if (path.empty() || path.front() != '/') return result;
    const auto segments = split_path(path);
    for (const auto& r : routes_) {
        if (r.segments.size() != segments.size()) continue;
        std::vector<std::string> params;
        bool ok = true;
        for (std::size_t i = 0; i < segments.size() && ok; ++i) {
            if (!r.segments[i].empty() && r.segments[i][0] == ':') {
                auto decoded = percent_decode(segments[i], false);
                ok = decoded && !decoded->empty();
                if (ok) params.push_back(std::move(*decoded));
            } else {
                ok = r.segments[i] == segments[i];
            }
        }
        if (!ok) continue;
        // HEAD is served wherever GET is (RFC 9110 §9.3.2); the connection drops the body.
        const bool head_of_get = method == bhttp::verb::head && r.method == bhttp::verb::get;
        if (r.method != method && !head_of_get) {
            result.other_method = true;
            continue;
        }
        result.found = &r;
        result.params = std::move(params);
        return result;
    }
    return result;
}

}  // namespace writeen::http

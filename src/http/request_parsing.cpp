#include "http/request_parsing.hpp"

#include <charconv>

#include "proto/json.hpp"

namespace writeen::http {

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view part = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (part.empty()) continue;
        const auto eq = part.find('=');
        const std::string_view key = part.substr(0, eq);
        const std::string_view value = eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
        auto k = percent_decode(key, true);
        auto v = percent_decode(value, true);
        out.emplace_back(k ? *k : std::string(key), v ? *v : std::string(value));
    }
    return out;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
    std::int64_t value = 0;
    if (text.empty()) return std::nullopt;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::int64_t query_int(const request& r, std::string_view key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) {
    auto text = r.query_value(key);
    if (!text) return fallback;
    auto value = parse_int(*text);
    if (!value || *value < min || *value > max)
        throw api_error(error_code::bad_request, std::string(key) + " must be an integer from " + std::to_string(min) +
                                                     " to " + std::to_string(max));
    return *value;
}

bool query_bool(const request& r, std::string_view key, bool fallback) {
    auto text = r.query_value(key);
    if (!text) return fallback;
    if (*text == "true" || *text == "1") return true;
    if (*text == "false" || *text == "0") return false;
    throw api_error(error_code::bad_request, std::string(key) + " must be true or false");
}

boost::json::object body_object(const request& r) {
    auto value = proto::parse(r.raw.body());
    return proto::as_object(value, "the request body");
}

}  // namespace writeen::http

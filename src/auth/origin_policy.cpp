#include "auth/origin_policy.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace writeen::auth {
namespace {

std::string_view trim(std::string_view s) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_scheme_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

// Characters of a registered name or an IP literal's inside; anything else (userinfo '@',
// path '/', query '?', spaces) means the text is not a serialised origin.
bool is_host_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' ||
           c == '%';
}

// RFC 6454 §6.2 serialisation, normalised so equal origins compare equal as strings:
// lowercase scheme and host, the port only when it is not the scheme's default.
std::optional<std::string> normalise(std::string_view text) {
    const std::size_t separator = text.find("://");
    if (separator == std::string_view::npos || separator == 0) return std::nullopt;
    std::string scheme;
    for (char c : text.substr(0, separator)) scheme.push_back(lower(c));
    if (!(scheme.front() >= 'a' && scheme.front() <= 'z') ||
        !std::all_of(scheme.begin(), scheme.end(), is_scheme_char))
        return std::nullopt;

    std::string_view rest = text.substr(separator + 3);
    std::string host;
    if (!rest.empty() && rest.front() == '[') {
        // IPv6 literal: [hex:hex...]
        const std::size_t close = rest.find(']');
        if (close == std::string_view::npos || close == 1) return std::nullopt;
        for (char c : rest.substr(1, close - 1)) {
            c = lower(c);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.'))
                return std::nullopt;
            host.push_back(c);
        }
        host = "[" + host + "]";
        rest.remove_prefix(close + 1);
    } else {
        const std::size_t end = rest.find(':');
        for (char c : rest.substr(0, end)) {
            c = lower(c);
            if (!is_host_char(c)) return std::nullopt;
            host.push_back(c);
        }
        if (host.empty()) return std::nullopt;
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    }

    std::string port;
    if (!rest.empty()) {
        if (rest.front() != ':' || rest.size() == 1 || rest.size() > 6) return std::nullopt;
        rest.remove_prefix(1);
        unsigned value = 0;
        for (char c : rest) {
            if (c < '0' || c > '9') return std::nullopt;
            value = value * 10 + static_cast<unsigned>(c - '0');
        }
        if (value == 0 || value > 65535) return std::nullopt;
        const bool is_default = (scheme == "http" && value == 80) || (scheme == "https" && value == 443);
        if (!is_default) port = ":" + std::to_string(value);  // also drops leading zeros
    }
    return scheme + "://" + host + port;
}

}  // namespace

origin_policy::origin_policy(std::string_view allow_list) {
    while (!allow_list.empty()) {
        const std::size_t comma = allow_list.find(',');
        std::string_view entry = trim(allow_list.substr(0, comma));
        allow_list.remove_prefix(comma == std::string_view::npos ? allow_list.size() : comma + 1);
        if (entry.empty()) continue;
        if (entry == "*") {
            allow_any_ = true;
            continue;
        }
        // Configuration often copies a URL with its trailing slash; an Origin never has one.
        if (entry.back() == '/') entry.remove_suffix(1);
        auto normalised = normalise(entry);
        if (!normalised)
            throw std::invalid_argument("allowed origin '" + std::string(entry) +
                                        "' is not scheme://host[:port] (for example https://app.writeen.id)");
        if (std::find(allowed_.begin(), allowed_.end(), *normalised) == allowed_.end())
            allowed_.push_back(std::move(*normalised));
    }
}

bool origin_policy::allows(std::string_view origin) const {
    origin = trim(origin);
    if (origin.empty() || allow_any_) return true;
    const auto normalised = normalise(origin);
    return normalised && std::find(allowed_.begin(), allowed_.end(), *normalised) != allowed_.end();
}

}  // namespace writeen::auth

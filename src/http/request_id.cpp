#include "http/request_id.hpp"

#include "model/ids.hpp"

namespace writeen::http {

constexpr std::size_t longest_request_id = 128;

bool is_sane_request_id(std::string_view id) {
    if (id.empty() || id.size() > longest_request_id) return false;
    for (char c : id) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                             c == '_' || c == '.' || c == ':';
        if (!allowed) return false;
    }
    return true;
}

std::string request_id_of(const raw_request& req) {
    if (auto it = req.find("X-Request-Id"); it != req.end() && is_sane_request_id(it->value()))
        return std::string{it->value()};
    return make_object_id();
}

}  // namespace writeen::http

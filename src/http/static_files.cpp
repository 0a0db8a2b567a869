#include "http/static_files.hpp"

#include <boost/beast/http/field.hpp>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "proto/error.hpp"

namespace writeen::http {

response static_files::serve(const raw_request& req, std::string_view path) const {
    if (root_.empty()) throw api_error(error_code::not_found, "no web client is configured");
    auto decoded = percent_decode(path, false);
    if (!decoded || decoded->find("..") != std::string::npos || decoded->find('\0') != std::string::npos)
        throw api_error(error_code::not_found, "not found");
    std::string file = *decoded == "/" ? std::string("/index.html") : *decoded;
    std::ifstream in(root_ + file, std::ios::binary);
    // Client-side routes fall back to the application page.
    if (!in && file.find('.') == std::string::npos) {
        file = "/index.html";
        in.open(root_ + file, std::ios::binary);
    }
    if (!in) throw api_error(error_code::not_found, "not found");
    std::ostringstream content;
    content << in.rdbuf();
    static const std::vector<std::pair<std::string_view, std::string_view>> types{
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
        {".png", "image/png"},                 {".json", "application/json"},
        {".ico", "image/x-icon"},              {".webmanifest", "application/manifest+json"},
        {".woff2", "font/woff2"}};
    std::string_view type = "application/octet-stream";
    for (const auto& [ext, mime] : types)
        if (file.ends_with(ext)) type = mime;
    response res{bhttp::status::ok, req.version()};
    res.set(bhttp::field::content_type, type);
    res.set("X-Content-Type-Options", "nosniff");
    if (file == "/index.html") {
        res.set(bhttp::field::cache_control, "no-cache");
        res.set("Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: "
                "https:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'");
        res.set("Referrer-Policy", "no-referrer");
    } else if (file.starts_with("/assets/")) {
        res.set(bhttp::field::cache_control, "public, max-age=31536000, immutable");
    }
    res.keep_alive(req.keep_alive());
    res.body() = content.str();
    res.prepare_payload();
    if (req.method() == bhttp::verb::head) res.body().clear();
    return res;
}

}  // namespace writeen::http

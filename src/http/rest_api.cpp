#include "http/rest_api.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <spdlog/spdlog.h>
#include <sstream>

#include "auth/roles.hpp"
#include "auth/token_minter.hpp"
#include "http/async.hpp"
#include "http/file_pipeline.hpp"
#include "http/request_parsing.hpp"
#include "model/clock.hpp"
#include "proto/json.hpp"
#include "store/store.hpp"

namespace writeen::http {
namespace json = boost::json;

namespace {

response json_response(const raw_request& req, bhttp::status status, std::string body) {
    response res{status, req.version()};
    res.set(bhttp::field::content_type, "application/json; charset=utf-8");
    res.set(bhttp::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

response ok(const raw_request& req, json::value data, bhttp::status status = bhttp::status::ok) {
    return json_response(req, status, proto::success_body(std::move(data)));
}

}  // namespace

rest_api::rest_api(chat::service& chat, const auth::token_verifier& verifier, metrics& m, bus::bus& bus,
                   rest_options options)
    : chat_(chat), verifier_(verifier), metrics_(m), bus_(bus), options_(std::move(options)) {
    add_routes();
}

void rest_api::add_routes() {
    using bhttp::verb;
    const auto bind = [this](net::awaitable<response> (rest_api::*fn)(request&)) {
        return [this, fn](request& r) { return (this->*fn)(r); };
    };
    router_.add(verb::get, "/healthz", bind(&rest_api::healthz), false);
    router_.add(verb::get, "/readyz", bind(&rest_api::readyz), false);
    router_.add(verb::get, "/metrics", bind(&rest_api::metrics_text), false);
    router_.add(verb::get, "/api/conversations", bind(&rest_api::list_conversations));
    router_.add(verb::post, "/api/conversations", bind(&rest_api::create_conversation));
    router_.add(verb::get, "/api/conversations/:id", bind(&rest_api::get_conversation));
    router_.add(verb::patch, "/api/conversations/:id", bind(&rest_api::update_conversation));
    router_.add(verb::post, "/api/conversations/:id/participants", bind(&rest_api::add_participant));
    router_.add(verb::delete_, "/api/conversations/:id/participants/:userId", bind(&rest_api::remove_participant));
    router_.add(verb::get, "/api/conversations/:id/messages", bind(&rest_api::list_messages));
    router_.add(verb::post, "/api/conversations/:id/messages", bind(&rest_api::send_message));
    router_.add(verb::post, "/api/conversations/:id/read", bind(&rest_api::mark_read));
    router_.add(verb::patch, "/api/messages/:id", bind(&rest_api::edit_message));
    router_.add(verb::delete_, "/api/messages/:id", bind(&rest_api::delete_message));
    router_.add(verb::post, "/api/messages/:id/reactions", bind(&rest_api::add_reaction));
    router_.add(verb::delete_, "/api/messages/:id/reactions/:emoji", bind(&rest_api::remove_reaction));
    router_.add(verb::get, "/api/messages/:id/thread", bind(&rest_api::thread));
    router_.add(verb::get, "/api/search", bind(&rest_api::search));
    router_.add(verb::get, "/api/files/:id/thumbnail", bind(&rest_api::thumbnail));
    consultations_.add_routes(router_);
    // Served by the connection layer through upload() and download(); listed so that another
    // method on these paths is a 405.
    const auto streamed_elsewhere = [](request&) -> net::awaitable<response> {
        throw api_error(error_code::internal, "streamed endpoint reached the router");
    };
    router_.add(verb::post, "/api/conversations/:id/upload", streamed_elsewhere);
    router_.add(verb::get, "/api/files/:id/download", streamed_elsewhere);
    if (options_.dev) {
        router_.add(verb::get, "/api/dev/users", bind(&rest_api::dev_users), false);
        router_.add(verb::post, "/api/dev/token", bind(&rest_api::dev_token), false);
    }
}

response rest_api::error_response(const raw_request& req, error_code code, std::string_view message,
                                  std::optional<int> retry_after) {
    auto res = json_response(req, static_cast<bhttp::status>(http_status(code)), proto::error_body(code, message));
    if (retry_after) res.set(bhttp::field::retry_after, std::to_string(*retry_after));
    if (code == error_code::unauthorized) res.set(bhttp::field::www_authenticate, "Bearer");
    return res;
}

auth::principal rest_api::authenticate(const raw_request& req) const {
    std::string token;
    if (auto it = req.find(bhttp::field::authorization); it != req.end()) {
        const std::string_view value = it->value();
        if (value.size() < 7 || (value.substr(0, 7) != "Bearer " && value.substr(0, 7) != "bearer "))
            throw api_error(error_code::unauthorized, "Authorization must be a Bearer token");
        token = std::string(value.substr(7));
    } else {
        const std::string_view target = req.target();
        const auto q = target.find('?');
        if (q != std::string_view::npos)
            for (auto& [k, v] : parse_query(target.substr(q + 1)))
                if (k == "token") token = v;
    }
    if (token.empty()) throw api_error(error_code::unauthorized, "a bearer token is required");
    try {
        return verifier_.verify(token, now_ms());
    } catch (const auth::auth_error& e) {
        throw api_error(error_code::unauthorized, e.what());
    }
}

net::awaitable<response> rest_api::handle(const raw_request& req) {
    metrics_.http_requests.fetch_add(1, std::memory_order_relaxed);
    std::optional<response> failure;
    try {
        co_return co_await dispatch(req);
    } catch (...) {
        failure = failure_response(req);
    }
    metrics_.http_errors.fetch_add(1, std::memory_order_relaxed);
    co_return std::move(*failure);
}

net::awaitable<response> rest_api::dispatch(const raw_request& req) {
    const std::string_view target = req.target();
    const auto q = target.find('?');
    const std::string_view path = target.substr(0, q);
    auto m = router_.find(req.method(), path);
    if (!m.found) {
        if (m.other_method) {
            auto res = error_response(req, error_code::bad_request, "method not allowed on this path");
            res.result(bhttp::status::method_not_allowed);
            co_return res;
        }
        if (path.starts_with("/api/") || path == "/api" || path == "/ws")
            throw api_error(error_code::not_found, "no such endpoint");
        if (req.method() == bhttp::verb::get || req.method() == bhttp::verb::head) co_return static_file(req, path);
        throw api_error(error_code::not_found, "no such endpoint");
    }
    request r{req, std::move(m.params), {}, {}};
    if (q != std::string_view::npos) r.query = parse_query(target.substr(q + 1));
    if (m.found->authenticated) {
        r.who = authenticate(req);
        chat_.seen(r.who);
    }
    co_return co_await m.found->handle(r);
}

// --- operations ---------------------------------------------------------------------------------

net::awaitable<response> rest_api::healthz(request& r) { co_return ok(r.raw, json::object{{"status", "ok"}}); }

net::awaitable<response> rest_api::readyz(request& r) {
    const bool storage = chat_.database().healthy();
    const bool bus = bus_.healthy();
    json::object checks{{"storage", storage ? "ok" : "down"}, {"bus", bus ? "ok" : "down"}, {"busKind", bus_.name()}};
    bool scanner = true;
    if (files_ && files_->scanning()) {
        // A clamd round trip blocks: on the pool, never on this I/O thread.
        file_pipeline& pipeline = *files_;
        std::function<bool()> probe = [&pipeline] { return pipeline.scanner_reachable(); };
        scanner = co_await pipeline.offload(std::move(probe));
        checks["scanner"] = scanner ? "ok" : "down";
        checks["scannerKind"] = pipeline.scanner_description();
    } else {
        // Said plainly: uploads are served without a virus scan.
        checks["scanner"] = "disabled";
        checks["scanning"] = "disabled: uploads are marked unscanned";
    }
    if (!storage || !bus || !scanner)
        co_return json_response(r.raw, bhttp::status::service_unavailable,
                                json::serialize(json::object{{"success", false},
                                                             {"error", json::object{{"code", "unavailable"},
                                                                                    {"message", "not ready"}}},
                                                             {"data", checks}}));
    co_return ok(r.raw, std::move(checks));
}

net::awaitable<response> rest_api::metrics_text(request& r) {
    std::string out;
    const auto counter = [&out](const char* name, const char* help, std::uint64_t value, const char* type = "counter") {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
               std::to_string(value) + "\n";
    };
    const auto stats = chat_.database().stats();
    counter("writeen_ws_connections", "Open WebSocket connections.", chat_.hub().connection_count(), "gauge");
    counter("writeen_online_users", "Users with at least one open WebSocket.", chat_.hub().online_user_count(), "gauge");
    counter("writeen_ws_connections_total", "WebSocket connections accepted.", metrics_.ws_connections_total.load());
    counter("writeen_messages_in_total", "Messages stored (REST and WebSocket).", metrics_.messages_in.load());
    counter("writeen_frames_out_total", "WebSocket frames written.", metrics_.frames_out.load());
    counter("writeen_slow_consumer_closes_total", "Sockets closed for not reading.", metrics_.slow_consumer_closes.load());
    counter("writeen_rate_limited_total", "Requests refused by the rate limit.", metrics_.rate_limited.load());
    counter("writeen_http_requests_total", "HTTP requests answered.", metrics_.http_requests.load());
    counter("writeen_http_errors_total", "HTTP requests answered with an error.", metrics_.http_errors.load());
    counter("writeen_store_batches_total", "Write transactions committed.", stats.batches);
    counter("writeen_store_writes_total", "Writes committed.", stats.writes);
    out += "# HELP writeen_store_commit_seconds_total Time spent committing.\n"
           "# TYPE writeen_store_commit_seconds_total counter\nwriteen_store_commit_seconds_total " +
           std::to_string(stats.commit_seconds_total) + "\n";
    if (files_) {
        counter("writeen_uploads_total", "Files uploaded.", files_->uploads.load());
        counter("writeen_upload_bytes_total", "Bytes of uploaded files.", files_->upload_bytes.load());
        out += "# HELP writeen_scans_total File scans by verdict.\n# TYPE writeen_scans_total counter\n";
        out += "writeen_scans_total{result=\"clean\"} " + std::to_string(files_->scans_clean.load()) + "\n";
        out += "writeen_scans_total{result=\"infected\"} " + std::to_string(files_->scans_infected.load()) + "\n";
        out += "writeen_scans_total{result=\"error\"} " + std::to_string(files_->scans_error.load()) + "\n";
    }
    metrics_.ack_latency.render(out, "writeen_message_ack_seconds",
                                "Time from a message arriving to its durable acknowledgement.");
    response res{bhttp::status::ok, r.raw.version()};
    res.set(bhttp::field::content_type, "text/plain; version=0.0.4");
    res.keep_alive(r.raw.keep_alive());
    res.body() = std::move(out);
    res.prepare_payload();
    co_return res;
}

net::awaitable<response> rest_api::dev_users(request& r) {
    json::array users;
    for (const auto& u : options_.demo_users)
        users.push_back(json::object{{"id", u.id}, {"name", u.name}, {"role", auth::to_string(u.role)}});
    co_return ok(r.raw, json::object{{"users", std::move(users)}});
}

net::awaitable<response> rest_api::dev_token(request& r) {
    const auto body = body_object(r);
    const std::string user_id = proto::required_string(body, "userId");
    for (const auto& u : options_.demo_users) {
        if (u.id != user_id) continue;
        auth::mint_options mint{.secret = options_.dev_secret, .subject = u.id, .name = u.name, .role = u.role,
                                .issued_at_ms = now_ms()};
        co_return ok(r.raw, json::object{{"token", auth::mint_token(mint)}, {"user", json::object{{"id", u.id},
                                                                                              {"name", u.name},
                                                                                              {"role", auth::to_string(u.role)}}}});
    }
    throw api_error(error_code::not_found, "no such demo user");
}

// --- static files -------------------------------------------------------------------------------

response rest_api::static_file(const raw_request& req, std::string_view path) const {
    if (options_.web_root.empty()) throw api_error(error_code::not_found, "no web client is configured");
    auto decoded = percent_decode(path, false);
    if (!decoded || decoded->find("..") != std::string::npos || decoded->find('\0') != std::string::npos)
        throw api_error(error_code::not_found, "not found");
    std::string file = *decoded == "/" ? std::string("/index.html") : *decoded;
    std::ifstream in(options_.web_root + file, std::ios::binary);
    // Client-side routes fall back to the application page.
    if (!in && file.find('.') == std::string::npos) {
        file = "/index.html";
        in.open(options_.web_root + file, std::ios::binary);
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

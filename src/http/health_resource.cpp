#include "http/health_resource.hpp"

#include <boost/json.hpp>

#include "http/data_dir_check.hpp"
#include "http/responses.hpp"
#include "proto/json.hpp"

namespace writeen::http {
namespace json = boost::json;

void health_resource::add_routes(router& routes) {
    using bhttp::verb;
    routes.add(verb::get, "/healthz", [this](request& r) { return healthz(r); }, false);
    routes.add(verb::get, "/readyz", [this](request& r) { return readyz(r); }, false);
    routes.add(verb::get, "/metrics", [this](request& r) { return metrics_text(r); }, false);
}

net::awaitable<response> health_resource::healthz(request& r) {
    co_return ok_response(r.raw, json::object{{"status", "ok"}});
}

net::awaitable<response> health_resource::readyz(request& r) {
    const bool storage = chat_.database().healthy();
    const bool bus = bus_.healthy();
    json::object checks{{"storage", storage ? "ok" : "down"}, {"bus", bus ? "ok" : "down"}, {"busKind", bus_.name()}};
    bool data_dir = true;
    if (!data_dir_.empty()) {
        // A read-only or full data directory fails every write while the database still
        // answers reads: say so, and why, so the orchestrator stops sending writes here.
        std::string problem;
        if (pipeline_) {
            std::function<std::string()> probe = [dir = data_dir_] { return data_dir_problem(dir); };
            problem = co_await pipeline_->offload(std::move(probe));
        } else {
            problem = data_dir_problem(data_dir_);
        }
        data_dir = problem.empty();
        checks["dataDir"] = data_dir ? "ok" : "not writable";
        if (!data_dir) checks["dataDirDetail"] = "data directory not writable: " + problem + "; writes answer 503";
    }
    bool scanner = true;
    if (pipeline_ && pipeline_->scanning()) {
        // A clamd round trip blocks: on the pool, never on this I/O thread.
        uploads::upload_pipeline& pipeline = *pipeline_;
        std::function<bool()> probe = [&pipeline] { return pipeline.scanner_reachable(); };
        scanner = co_await pipeline.offload(std::move(probe));
        checks["scanner"] = scanner ? "ok" : "down";
        checks["scannerKind"] = pipeline.scanner_description();
        if (!scanner) {
            // What the last attempt to reach clamd met; uploads meanwhile wait pending.
            const std::string why = pipeline.scanner_down_reason();
            checks["scannerDetail"] = (why.empty() ? std::string("does not answer") : why) +
                                      "; uploads wait pending and are scanned once it answers";
        }
    } else {
        // Said plainly: uploads are served without a virus scan.
        checks["scanner"] = "disabled";
        checks["scanning"] = "disabled: uploads are marked unscanned";
    }
    // Without the bus this node still serves its own sockets; the others' deliveries pause.
    if (!bus) checks["degraded"] = "bus down: deliveries to other nodes paused, local ones continue";
    if (!storage || !bus || !scanner || !data_dir)
        co_return json_response(r.raw, bhttp::status::service_unavailable,
                                proto::error_body(error_code::unavailable, "not ready", std::move(checks)));
    co_return ok_response(r.raw, std::move(checks));
}

net::awaitable<response> health_resource::metrics_text(request& r) {
    std::string out;
    const auto counter = [&out](const char* name, const char* help, std::uint64_t value, const char* type = "counter") {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
               std::to_string(value) + "\n";
    };
    const auto stats = chat_.database().stats();
    // The storage and bus checks of /readyz, so that an alert sees what the orchestrator sees.
    counter("writeen_storage_up", "1 when storage answers (as /readyz checks it), else 0.", chat_.database().healthy() ? 1 : 0, "gauge");
    counter("writeen_bus_up", "1 when the message bus is up, else 0.", bus_.healthy() ? 1 : 0, "gauge");
    const auto bus_counts = bus_.counters();
    counter("writeen_bus_published_total", "Envelopes published to other nodes (once per node with recipients).", bus_counts.published);
    counter("writeen_bus_received_total", "Envelopes received from other nodes.", bus_counts.received);
    counter("writeen_bus_dropped_total", "Envelopes not sent while the bus was down (clients catch up with sync).", bus_counts.dropped);
    counter("writeen_bus_reconnects_total", "Connections to the bus made again after an outage.", bus_counts.reconnects);
    counter("writeen_bus_lag_ms", "Round trip of the last bus heartbeat, in milliseconds.", bus_counts.lag_ms, "gauge");
    counter("writeen_ws_connections", "Open WebSocket connections.", chat_.hub().connection_count(), "gauge");
    counter("writeen_online_users", "Users with at least one open WebSocket on this node (a user on two nodes counts on each).", chat_.hub().online_user_count(), "gauge");
    counter("writeen_ws_connections_total", "WebSocket connections accepted.", metrics_.ws_connections_total.load());
    counter("writeen_messages_in_total", "Messages stored (REST and WebSocket).", metrics_.messages_in.load());
    counter("writeen_frames_out_total", "WebSocket frames written.", metrics_.frames_out.load());
    counter("writeen_slow_consumer_closes_total", "Sockets closed for not reading.", metrics_.slow_consumer_closes.load());
    counter("writeen_rate_limited_total", "Requests refused by the rate limit.", metrics_.rate_limited.load());
    out += "# HELP writeen_connections_refused_total Connections closed without being served, by reason.\n"
           "# TYPE writeen_connections_refused_total counter\n";
    for (std::size_t i = 0; i < refusal_reasons.size(); ++i)
        out += std::string("writeen_connections_refused_total{reason=\"") + refusal_reasons[i] + "\"} " +
               std::to_string(metrics_.connections_refused.of(static_cast<refusal>(i))) + "\n";
    counter("writeen_http_requests_total", "HTTP requests answered.", metrics_.http_requests.load());
    counter("writeen_http_errors_total", "HTTP requests answered with an error.", metrics_.http_errors.load());
    counter("writeen_store_batches_total", "Write transactions committed.", stats.batches);
    counter("writeen_store_writes_total", "Writes committed.", stats.writes);
    out += "# HELP writeen_store_commit_seconds_total Time spent committing.\n"
           "# TYPE writeen_store_commit_seconds_total counter\nwriteen_store_commit_seconds_total " +
           std::to_string(stats.commit_seconds_total) + "\n";
    if (pipeline_) {
        const uploads::upload_pipeline& p = *pipeline_;
        counter("writeen_uploads_total", "Files uploaded.", p.uploads.load());
        counter("writeen_upload_bytes_total", "Bytes of uploaded files.", p.upload_bytes.load());
        out += "# HELP writeen_scans_total File scans by verdict.\n# TYPE writeen_scans_total counter\n";
        out += "writeen_scans_total{result=\"clean\"} " + std::to_string(p.scans_clean.load()) + "\n";
        out += "writeen_scans_total{result=\"infected\"} " + std::to_string(p.scans_infected.load()) + "\n";
        out += "writeen_scans_total{result=\"error\"} " + std::to_string(p.scans_error.load()) + "\n";
        out += "writeen_scans_total{result=\"unavailable\"} " + std::to_string(p.scans_unavailable.load()) + "\n";
    }
    const auto& n = metrics_.notify;
    counter("writeen_notifications_queued_total", "Notifications created.", n.queued.load());
    const auto per_channel = [&out](const char* name, const char* help, const auto& values) {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n";
        for (std::size_t i = 0; i < values.size(); ++i)
            out += std::string(name) + "{channel=\"" + std::string(notify::channel_names[i]) + "\"} " +
                   std::to_string(values[i].load()) + "\n";
    };
    per_channel("writeen_notifications_sent_total", "Notification sends a receiver accepted.", n.sent);
    per_channel("writeen_notifications_retried_total", "Notification sends that failed and wait for a retry.", n.retried);
    per_channel("writeen_notifications_dropped_total", "Notification sends given up (24 h, gone, refused).", n.dropped);
    out += "# HELP writeen_notification_outbox_age_seconds Age of the oldest notification work not done.\n"
           "# TYPE writeen_notification_outbox_age_seconds gauge\nwriteen_notification_outbox_age_seconds " +
           std::to_string(n.outbox_age_seconds.load()) + "\n";
    metrics_.ack_latency.render(out, "writeen_message_ack_seconds",
                                "Time from a message arriving to its durable acknowledgement.");
    response res{bhttp::status::ok, r.raw.version()};
    res.set(bhttp::field::content_type, "text/plain; version=0.0.4");
    res.keep_alive(r.raw.keep_alive());
    res.body() = std::move(out);
    res.prepare_payload();
    co_return res;
}

}  // namespace writeen::http

#pragma once
// Operations endpoints: /healthz (alive), /readyz (storage, bus and scanner reachable, the data
// directory writable) and
// /metrics (Prometheus text). Unauthenticated, for the orchestrator and the scraper.

#include <filesystem>

#include "bus/bus.hpp"
#include "chat/service.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "uploads/upload_pipeline.hpp"

namespace writeen::http {

/// Health, readiness and metrics of this node.
class health_resource {
public:
    health_resource(chat::service& chat, bus::bus& bus, metrics& m) : chat_(chat), bus_(bus), metrics_(m) {}

    /// Registers /healthz, /readyz and /metrics.
    void add_routes(router& routes);
    /// Reports on this pipeline's scanner and counters too (not owned; outlives this).
    void set_pipeline(uploads::upload_pipeline& pipeline) { pipeline_ = &pipeline; }
    /// Checks on /readyz that this directory still takes writes (empty: no check).
    void set_data_dir(std::filesystem::path dir) { data_dir_ = std::move(dir); }

private:
    net::awaitable<response> healthz(request& r);
    net::awaitable<response> readyz(request& r);
    net::awaitable<response> metrics_text(request& r);

    chat::service& chat_;
    bus::bus& bus_;
    metrics& metrics_;
    uploads::upload_pipeline* pipeline_ = nullptr;
    std::filesystem::path data_dir_;
};

}  // namespace writeen::http

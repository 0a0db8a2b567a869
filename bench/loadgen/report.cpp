#include "report.hpp"

#include <cstdio>
#include <ctime>
#include <iomanip>
#include <ostream>

namespace loadgen {
namespace json = boost::json;

namespace {

double ms(std::uint64_t us) { return static_cast<double>(us) / 1000.0; }

double cpu_percent(const system_reading& a, const system_reading& b) {
    const double wall = b.wall_seconds - a.wall_seconds;
    return wall > 0 ? 100.0 * (b.self_cpu_seconds - a.self_cpu_seconds) / wall : 0;
}

std::optional<double> server_cpu_percent(const system_reading& a, const system_reading& b) {
    const double wall = b.wall_seconds - a.wall_seconds;
    if (!a.server_cpu_seconds || !b.server_cpu_seconds || wall <= 0) return std::nullopt;
    return 100.0 * (*b.server_cpu_seconds - *a.server_cpu_seconds) / wall;
}

const char* protocol_name(protocol p) {
    switch (p) {
        case protocol::writeen: return "writeen";
        case protocol::socketio: return "socketio";
        case protocol::ws: return "ws";
        case protocol::xmpp: return "xmpp";
    }
    return "?";
}

json::object latency_json(const histogram& h) {
    return {{"count", h.count()},
            {"p50_ms", ms(h.percentile(0.50))},
            {"p90_ms", ms(h.percentile(0.90))},
            {"p99_ms", ms(h.percentile(0.99))},
            {"p999_ms", ms(h.percentile(0.999))},
            {"max_ms", ms(h.max())},
            {"mean_ms", h.mean() / 1000.0}};
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

}  // namespace

std::uint64_t step_result::lost() const {
    return totals.expected > totals.delivered ? totals.expected - totals.delivered : 0;
}

std::uint64_t step_result::unacked() const {
    const auto answered = totals.acked + totals.errors;
    return totals.sent > answered ? totals.sent - answered : 0;
}

bool step_result::passed(double p99_limit_ms) const {
    return lost() == 0 && unacked() == 0 && totals.skipped == 0 && totals.errors == 0 && totals.dup_client_id == 0 &&
           totals.dup_seq == 0 && dropped == 0 && totals.sent > 0 &&
           ms(totals.deliver_us.percentile(0.99)) <= p99_limit_ms;
}

void print_table(std::ostream& out, const run_result& r) {
    const auto& opts = *r.opts;
    out << "scenario " << opts.scenario << ", protocol " << protocol_name(opts.proto) << ", "
        << opts.url << ", " << opts.threads << " loadgen thread(s)\n";
    if (!opts.urls.empty()) {
        out << "WebSockets spread over " << opts.urls.size() << " nodes (user u to node u mod "
            << opts.urls.size() << "):";
        for (const auto& url : opts.urls) out << ' ' << url;
        out << '\n';
    }
    if (r.setup_error) out << "SETUP FAILED: " << *r.setup_error << '\n';
    for (const auto& c : r.connects) {
        const double rate = c.seconds > 0 ? static_cast<double>(c.connected) / c.seconds : 0;
        out << "connect: " << c.connected << '/' << c.target << " connected, " << c.failed
            << " failed, " << fixed(c.seconds, 2) << " s (" << fixed(rate, 0)
            << " conn/s), handshake p50 " << fixed(ms(c.connect_us.percentile(0.5)), 2)
            << " ms p99 " << fixed(ms(c.connect_us.percentile(0.99)), 2) << " ms\n";
        if (c.frames_in && c.connected > 0) {
            const auto n = static_cast<double>(c.connected);
            out << "  received while connecting: " << *c.frames_in << " frames ("
                << fixed(static_cast<double>(*c.frames_in) / n, 1) << " per connection), "
                << fixed(static_cast<double>(*c.bytes_in) / n / 1024.0, 1) << " KiB per connection\n";
        }
        if (r.idle && c.connected > 0) {
            const auto n = static_cast<double>(c.connected);
            if (c.before.server_rss_kib && c.after.server_rss_kib) {
                const double delta = static_cast<double>(*c.after.server_rss_kib) -
                                     static_cast<double>(*c.before.server_rss_kib);
                out << "  server RSS " << *c.before.server_rss_kib << " -> "
                    << *c.after.server_rss_kib << " KiB: " << fixed(delta / n, 2)
                    << " KiB/connection\n";
            }
            const double sock = static_cast<double>(c.after.socket_mem_kib) -
                                static_cast<double>(c.before.socket_mem_kib);
            out << "  kernel TCP memory " << c.before.socket_mem_kib << " -> "
                << c.after.socket_mem_kib << " KiB: " << fixed(sock / n, 2)
                << " KiB/connection (both ends)\n";
            out << "  loadgen RSS " << c.after.self_rss_kib << " KiB\n";
        }
    }
    if (r.steps.empty()) return;
    out << std::left << std::setw(14) << "step" << std::right << std::setw(9) << "rate"
        << std::setw(10) << "sent" << std::setw(10) << "acked/s" << std::setw(11) << "deliv/s"
        << std::setw(9) << "p50ms" << std::setw(9) << "p99ms" << std::setw(9) << "p99.9ms"
        << std::setw(9) << "maxms" << std::setw(9) << "ackp99" << std::setw(8) << "lost"
        << std::setw(7) << "dup" << std::setw(7) << "err" << std::setw(7) << "lgCPU"
        << std::setw(7) << "svCPU" << std::setw(9) << "svRSSMi" << "  result\n";
    for (const auto& s : r.steps) {
        const double w = s.window_seconds > 0 ? s.window_seconds : 1;
        const auto& t = s.totals;
        const auto server_cpu = server_cpu_percent(s.start, s.window_end);
        out << std::left << std::setw(14) << s.plan.name << std::right << std::setw(9)
            << fixed(s.plan.rate, 0) << std::setw(10) << t.sent << std::setw(10)
            << fixed(static_cast<double>(s.in_window.acked) / w, 0) << std::setw(11)
            << fixed(static_cast<double>(s.in_window.delivered) / w, 0) << std::setw(9)
            << fixed(ms(t.deliver_us.percentile(0.5)), 2) << std::setw(9)
            << fixed(ms(t.deliver_us.percentile(0.99)), 2) << std::setw(9)
            << fixed(ms(t.deliver_us.percentile(0.999)), 2) << std::setw(9)
            << fixed(ms(t.deliver_us.max()), 1) << std::setw(9)
            << fixed(ms(t.ack_us.percentile(0.99)), 2) << std::setw(8) << s.lost() << std::setw(7)
            << t.dup_client_id + t.dup_seq << std::setw(7) << t.errors << std::setw(7)
            << fixed(cpu_percent(s.start, s.window_end), 0) << std::setw(7)
            << (server_cpu ? fixed(*server_cpu, 0) : "-") << std::setw(9)
            << (s.window_end.server_rss_kib ? fixed(static_cast<double>(*s.window_end.server_rss_kib) / 1024, 0) : "-")
            << "  " << (s.passed(opts.p99_limit_ms) ? "pass" : "FAIL") << "  (load "
            << fixed(s.window_end.load_average, 1) << ")"
            << (cpu_percent(s.start, s.window_end) > 85 ? "  LOADGEN-BOUND" : "") << '\n';
        if (s.unacked() != 0 || s.dropped != 0 || t.skipped != 0)
            out << "  unacked " << s.unacked() << ", connections dropped " << s.dropped
                << ", sends skipped (sender not connected) " << t.skipped << '\n';
    }
}

json::object to_json(const run_result& r) {
    const auto& opts = *r.opts;
    const std::time_t now = std::time(nullptr);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    json::object doc{{"scenario", opts.scenario},
                     {"protocol", protocol_name(opts.proto)},
                     {"url", opts.url},
                     {"urls", json::value_from(opts.urls)},
                     {"serverPids", json::value_from(opts.server_pids)},
                     {"date", date},
                     {"threads", opts.threads},
                     {"sourceAddresses", opts.source_addresses},
                     {"textBytes", opts.text_bytes},
                     {"p99LimitMs", opts.p99_limit_ms}};
    if (r.setup_error) doc["setupError"] = *r.setup_error;
    json::array connects;
    for (const auto& c : r.connects) {
        json::object o{{"target", c.target},
                       {"connected", c.connected},
                       {"failed", c.failed},
                       {"seconds", c.seconds},
                       {"perSecond", c.seconds > 0 ? static_cast<double>(c.connected) / c.seconds : 0.0},
                       {"handshake", latency_json(c.connect_us)},
                       {"socketMemKiBBefore", c.before.socket_mem_kib},
                       {"socketMemKiBAfter", c.after.socket_mem_kib},
                       {"loadgenRssKiB", c.after.self_rss_kib},
                       {"loadAverage", c.after.load_average}};
        if (c.frames_in) o["framesReceived"] = *c.frames_in;
        if (c.bytes_in) o["bytesReceived"] = *c.bytes_in;
        if (c.before.server_rss_kib) o["serverRssKiBBefore"] = *c.before.server_rss_kib;
        if (c.after.server_rss_kib) o["serverRssKiBAfter"] = *c.after.server_rss_kib;
        if (r.idle && c.connected > 0 && c.before.server_rss_kib && c.after.server_rss_kib)
            o["serverKiBPerConnection"] =
                (static_cast<double>(*c.after.server_rss_kib) - static_cast<double>(*c.before.server_rss_kib)) /
                static_cast<double>(c.connected);
        if (r.idle && c.connected > 0)
            o["socketKiBPerConnection"] =
                (static_cast<double>(c.after.socket_mem_kib) - static_cast<double>(c.before.socket_mem_kib)) /
                static_cast<double>(c.connected);
        connects.push_back(std::move(o));
    }
    doc["connect"] = std::move(connects);
    json::array steps;
    double best = 0;
    bool all_passed = true;
    for (const auto& s : r.steps) {
        const double w = s.window_seconds > 0 ? s.window_seconds : 1;
        const auto& t = s.totals;
        const bool ok = s.passed(opts.p99_limit_ms);
        all_passed = all_passed && ok;
        if (ok) best = std::max(best, s.plan.rate);
        json::array buckets;
        for (const auto& [upper, count] : t.deliver_us.buckets()) buckets.push_back(json::array{upper, count});
        json::object o{{"name", s.plan.name},
                       {"connections", s.plan.connections},
                       {"targetRate", s.plan.rate},
                       {"seconds", s.window_seconds},
                       {"sent", t.sent},
                       {"acked", t.acked},
                       {"skippedNotConnected", t.skipped},
                       {"errors", t.errors},
                       {"expectedDeliveries", t.expected},
                       {"delivered", t.delivered},
                       {"lost", s.lost()},
                       {"unacked", s.unacked()},
                       {"duplicatesByClientId", t.dup_client_id},
                       {"duplicatesBySeq", t.dup_seq},
                       {"connectionsDropped", s.dropped},
                       {"ackedPerSecond", static_cast<double>(s.in_window.acked) / w},
                       {"deliveriesPerSecond", static_cast<double>(s.in_window.delivered) / w},
                       {"latency", latency_json(t.deliver_us)},
                       {"ackLatency", latency_json(t.ack_us)},
                       {"loadgenCpuPercent", cpu_percent(s.start, s.window_end)},
                       {"socketMemKiB", s.window_end.socket_mem_kib},
                       {"loadAverage", s.window_end.load_average},
                       {"loadgenBound", cpu_percent(s.start, s.window_end) > 85},
                       {"passed", ok},
                       {"latencyBucketsUs", std::move(buckets)}};
        if (const auto cpu = server_cpu_percent(s.start, s.window_end)) o["serverCpuPercent"] = *cpu;
        if (s.window_end.server_rss_kib) o["serverRssKiB"] = *s.window_end.server_rss_kib;
        steps.push_back(std::move(o));
    }
    doc["steps"] = std::move(steps);
    if (!r.steps.empty()) {
        doc["highestPassingRate"] = best;
        doc["allPassed"] = all_passed;
    }
    return doc;
}

}  // namespace loadgen

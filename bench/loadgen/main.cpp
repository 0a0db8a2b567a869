// loadgen: drives Writeen Chat (and the peers of bench/peers/) with an open-loop schedule and
// reports send->deliver latency, throughput, losses, duplicates and server memory.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <thread>

#include "engine.hpp"
#include "report.hpp"
#include "rest_setup.hpp"
#include "system_stats.hpp"
#include "token.hpp"

namespace {

using namespace loadgen;

struct host_port {
    std::string host;
    std::uint16_t port = 80;
};

host_port parse_url(const std::string& url) {
    std::string rest = url;
    for (const char* scheme : {"http://", "ws://"})
        if (rest.rfind(scheme, 0) == 0) rest = rest.substr(std::char_traits<char>::length(scheme));
    rest = rest.substr(0, rest.find('/'));
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos) return {rest, 80};
    return {rest.substr(0, colon), static_cast<std::uint16_t>(std::stoul(rest.substr(colon + 1)))};
}

tcp::endpoint resolve(const std::string& host, std::uint16_t port) {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    const auto results = resolver.resolve(tcp::v4(), host, std::to_string(port));
    const auto endpoint = results.begin()->endpoint();
    if (!endpoint.address().is_loopback())
        throw std::runtime_error("refusing to load " + endpoint.address().to_string() +
                                 ": only 127.0.0.0/8 is allowed");
    return endpoint;
}

// The WebSocket endpoints: one per --urls entry, or --url alone.
std::vector<node_endpoint> resolve_nodes(const options& opts) {
    std::vector<node_endpoint> nodes;
    const std::vector<std::string> urls = opts.urls.empty() ? std::vector{opts.url} : opts.urls;
    for (const auto& url : urls) {
        const auto [host, port] = parse_url(url);
        nodes.push_back({resolve(host, port), host + ':' + std::to_string(port)});
    }
    return nodes;
}

template <class Fn>
step_counters merged_step(std::vector<std::unique_ptr<worker>>& workers, std::uint32_t step, Fn) {
    step_counters total;
    for (auto& w : workers) total.merge(w->step_snapshot(step));
    return total;
}

connection_counters merged_connections(std::vector<std::unique_ptr<worker>>& workers) {
    connection_counters total;
    for (auto& w : workers) total.merge(w->connection_snapshot());
    return total;
}

void sleep_until(steady::time_point t) { std::this_thread::sleep_until(t); }

// Opens connections for the first `users` users and waits until each one is ready or failed.
connect_result connect_phase(std::vector<std::unique_ptr<worker>>& workers, std::size_t users,
                             const options& opts, bool count_frames) {
    connect_result c;
    c.before = read_system(opts.server_pids);
    const auto already = merged_connections(workers);
    c.target = users;
    const auto started = steady::now();
    for (auto& w : workers) w->connect_users(users);
    std::uint64_t last_done = 0;
    auto last_progress = steady::now();
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        const auto now_counters = merged_connections(workers);
        const auto done = now_counters.connected + now_counters.failed;
        if (done != last_done) {
            last_done = done;
            last_progress = steady::now();
        }
        if (done >= users || steady::now() - last_progress > std::chrono::seconds(30)) {
            c.seconds = std::chrono::duration<double>(steady::now() - started).count();
            c.connected = now_counters.connected - already.connected;
            c.failed = now_counters.failed - already.failed;
            c.connect_us = now_counters.connect_us;
            break;
        }
    }
    if (count_frames) {
        // Fan-out caused by connecting may trail the last handshake (digests, a busy server).
        auto counters = merged_connections(workers);
        const auto give_up = steady::now() + std::chrono::seconds(10);
        for (;;) {
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            const auto next = merged_connections(workers);
            const bool quiet = next.frames_in == counters.frames_in;
            counters = next;
            if (quiet || steady::now() > give_up) break;
        }
        c.frames_in = counters.frames_in - already.frames_in;
        c.bytes_in = counters.bytes_in - already.bytes_in;
    }
    c.after = read_system(opts.server_pids);
    std::cerr << "loadgen: " << c.connected << " connections ready (" << c.failed << " failed) in "
              << c.seconds << " s\n";
    return c;
}

step_result run_step(std::vector<std::unique_ptr<worker>>& workers, const run_context& ctx,
                     std::uint32_t index, const step_plan& step) {
    const auto& opts = *ctx.opts;
    step_result r;
    r.plan = step;
    // Each worker gets the share of the rate that its senders make up.
    std::vector<std::size_t> senders(workers.size(), 0);
    std::size_t all = 0;
    for (std::size_t u = 0; u < step.connections; ++u)
        if (ctx.sends_to[u]) {
            ++senders[u % workers.size()];
            ++all;
        }
    const auto dropped_before = merged_connections(workers).dropped;
    const auto start = steady::now() + std::chrono::milliseconds(100);
    const auto end = start + std::chrono::duration_cast<steady::duration>(
                                 std::chrono::duration<double>(step.seconds));
    for (std::size_t i = 0; i < workers.size(); ++i)
        if (senders[i] > 0)
            workers[i]->begin_step(index, step.rate * static_cast<double>(senders[i]) / static_cast<double>(all),
                                   start, end, step.connections);
    sleep_until(start);
    r.start = read_system(opts.server_pids);
    sleep_until(end);
    r.window_end = read_system(opts.server_pids);
    r.window_seconds = r.window_end.wall_seconds - r.start.wall_seconds;
    r.in_window = merged_step(workers, index, 0);
    const auto drain_end = steady::now() + std::chrono::duration_cast<steady::duration>(
                                               std::chrono::duration<double>(opts.drain_seconds));
    for (;;) {
        r.totals = merged_step(workers, index, 0);
        const bool settled = r.totals.acked + r.totals.errors >= r.totals.sent &&
                             r.totals.delivered >= r.totals.expected;
        if (settled || steady::now() >= drain_end) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    r.dropped = merged_connections(workers).dropped - dropped_before;
    std::cerr << "loadgen: " << step.name << ": sent " << r.totals.sent << ", acked "
              << r.totals.acked << ", delivered " << r.totals.delivered << '/'
              << r.totals.expected << ", p99 "
              << static_cast<double>(r.totals.deliver_us.percentile(0.99)) / 1000 << " ms\n";
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    options opts;
    std::string proto = "writeen";
    CLI::App app{"Writeen Chat load generator (open-loop, coordinated-omission free)"};
    app.add_option("--scenario", opts.scenario, "smoke | idle | direct | rooms | broadcast | seed-k6")
        ->capture_default_str();
    auto* url_option =
        app.add_option("--url", opts.url, "server base URL (loopback only)")->capture_default_str();
    app.add_option("--urls", opts.urls,
                   "several nodes: user u's WebSocket goes to the (u mod N)-th URL (REST setup: --url, "
                   "default the first of these)")
        ->delimiter(',');
    app.add_option("--protocol", proto, "writeen | socketio | ws | xmpp (ejabberd MUC)")->capture_default_str();
    app.add_option("--secret", opts.secret, "HS256 secret the server verifies tokens with");
    app.add_option("--issuer", opts.issuer, "iss claim, when the server checks it");
    app.add_option("--audience", opts.audience, "aud claim, when the server checks it");
    app.add_option("--user-prefix", opts.user_prefix, "user ids are <prefix><n> (default: per run)");
    app.add_option("--connections", opts.connections, "connections (users) instead of the scenario's");
    app.add_option("--source-addresses", opts.source_addresses,
                   "spread client sockets over 127.0.0.1..127.0.0.K")->capture_default_str();
    app.add_option("--threads", opts.threads, "I/O threads")->capture_default_str();
    app.add_option("--rates", opts.rates, "message rates (msg/s) of the steps")->delimiter(',');
    app.add_option("--step-seconds", opts.step_seconds, "send window of a step")->capture_default_str();
    app.add_option("--drain-seconds", opts.drain_seconds, "wait for late deliveries")->capture_default_str();
    app.add_option("--hold-seconds", opts.hold_seconds, "idle: hold before measuring")->capture_default_str();
    app.add_option("--time-scale", opts.time_scale, "seed-k6: fraction of the k6 durations")->capture_default_str();
    app.add_option("--p99-limit-ms", opts.p99_limit_ms, "a step fails above this p99")->capture_default_str();
    app.add_option("--text-bytes", opts.text_bytes, "message text size")->capture_default_str();
    app.add_option("--connect-concurrency", opts.connect_concurrency, "handshakes in flight per thread")
        ->capture_default_str();
    app.add_option("--rest-concurrency", opts.rest_concurrency, "parallel REST clients for setup")
        ->capture_default_str();
    app.add_flag("--keep-going", opts.keep_going, "run the remaining steps after a failed one");
    app.add_flag("--join", opts.join, "writeen: clients also join their conversations, as when viewing them");
    app.add_option("--server-pid", opts.server_pids,
                   "read the server's RSS and CPU from /proc (several: comma-separated, summed)")
        ->delimiter(',');
    app.add_option("--json", opts.json_path, "write the results as JSON here");
    app.add_option("--ack-log", opts.ack_log_path,
                   "append every acknowledgement here: conversationId seq messageId clientMessageId");
    CLI11_PARSE(app, argc, argv);

    try {
        if (proto == "writeen") opts.proto = protocol::writeen;
        else if (proto == "socketio") opts.proto = protocol::socketio;
        else if (proto == "ws") opts.proto = protocol::ws;
        else if (proto == "xmpp") opts.proto = protocol::xmpp;
        else throw std::invalid_argument("unknown protocol " + proto);
        if (opts.proto == protocol::writeen && opts.secret.empty())
            throw std::invalid_argument("--secret is required for the writeen protocol");
        opts.threads = std::max(1u, opts.threads);
        opts.source_addresses = std::clamp<std::size_t>(opts.source_addresses, 1, 254);
        if (opts.user_prefix.empty())
            opts.user_prefix = "lg" + std::to_string(std::time(nullptr) % 100000000) + "u";
        if (!opts.urls.empty() && url_option->count() == 0) opts.url = opts.urls.front();
        const auto [host, port] = parse_url(opts.url);
        opts.host = host;
        opts.port = port;
    } catch (const std::exception& e) {
        std::cerr << "loadgen: " << e.what() << '\n';
        return 2;
    }

    const auto open_files = raise_open_file_limit();
    run_context ctx;
    ctx.opts = &opts;
    scenario_plan plan;
    run_result result;
    result.opts = &opts;
    try {
        ctx.server = resolve(opts.host, opts.port);
        ctx.nodes = resolve_nodes(opts);
        plan = make_plan(opts, open_files);
    } catch (const std::exception& e) {
        std::cerr << "loadgen: " << e.what() << '\n';
        return 2;
    }
    ctx.plan = &plan;
    result.idle = plan.idle;
    ctx.joins.resize(plan.users);
    ctx.sends_to.resize(plan.users);
    for (std::uint32_t c = 0; c < plan.conversations.size(); ++c)
        for (const auto m : plan.conversations[c].members) ctx.joins[m].push_back(c);
    for (const auto& s : plan.senders) ctx.sends_to[s.user] = s.conversation;
    ctx.padding.assign(opts.text_bytes > 24 ? opts.text_bytes - 24 : 0, 'x');
    std::optional<ack_log> acks;
    if (!opts.ack_log_path.empty()) {
        try {
            acks.emplace(opts.ack_log_path);
        } catch (const std::exception& e) {
            std::cerr << "loadgen: " << e.what() << '\n';
            return 2;
        }
        ctx.acks = &*acks;
    }
    std::cerr << "loadgen: " << opts.scenario << ": " << plan.users << " users, "
              << plan.conversations.size() << " conversations, " << plan.steps.size()
              << " step(s); open-file limit " << open_files << '\n';

    int exit_code = 0;
    try {
        if (opts.proto == protocol::writeen) {
            ctx.tokens.reserve(plan.users);
            for (std::size_t u = 0; u < plan.users; ++u) {
                token_claims claims;
                claims.subject = opts.user_prefix + std::to_string(u);
                claims.name = "Bench User " + std::to_string(u);
                claims.issuer = opts.issuer;
                claims.audience = opts.audience;
                ctx.tokens.push_back(mint_hs256(claims, opts.secret));
            }
            rest_setup(opts, ctx.server, ctx.tokens, plan);
        } else {
            for (std::size_t c = 0; c < plan.conversations.size(); ++c)
                plan.conversations[c].id = "room-" + std::to_string(c);
        }
    } catch (const std::exception& e) {
        result.setup_error = e.what();
        std::cerr << "loadgen: setup failed: " << e.what() << '\n';
        exit_code = 2;
    }

    std::vector<std::unique_ptr<worker>> workers;
    if (!result.setup_error) {
        for (unsigned i = 0; i < opts.threads; ++i) workers.push_back(std::make_unique<worker>(i, ctx));
        std::size_t connected_users = 0;
        for (std::uint32_t i = 0; i < plan.steps.size(); ++i) {
            const auto& step = plan.steps[i];
            if (step.connections > connected_users) {
                result.connects.push_back(connect_phase(workers, step.connections, opts, result.connects.empty()));
                connected_users = step.connections;
            }
            if (plan.idle) {
                std::this_thread::sleep_for(std::chrono::duration<double>(step.seconds));
                result.connects.back().after = read_system(opts.server_pids);
                continue;
            }
            result.steps.push_back(run_step(workers, ctx, i, step));
            if (plan.stop_at_first_failure && !opts.keep_going && !result.steps.back().passed(opts.p99_limit_ms)) break;
        }
        for (auto& w : workers) w->shutdown();
    }

    print_table(std::cout, result);
    if (!opts.json_path.empty()) {
        std::ofstream out(opts.json_path);
        out << boost::json::serialize(to_json(result)) << '\n';
    }
    if (opts.scenario == "smoke" && exit_code == 0) {
        const bool ok = !result.steps.empty() &&
                        std::all_of(result.steps.begin(), result.steps.end(), [&](const step_result& s) {
                            return s.lost() == 0 && s.unacked() == 0 && s.totals.errors == 0 &&
                                   s.totals.dup_client_id == 0 && s.totals.dup_seq == 0 &&
                                   s.totals.delivered > 0;
                        });
        exit_code = ok ? 0 : 1;
        std::cout << "smoke: " << (ok ? "passed" : "FAILED") << '\n';
    }
    if (plan.idle && !result.connects.empty() && result.connects.back().connected == 0) exit_code = 1;
    return exit_code;
}

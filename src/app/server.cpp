#include "app/server.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <spdlog/spdlog.h>
#include <thread>

#include "app/dev_seed.hpp"
#include "auth/origin_policy.hpp"
#include "auth/token_verifier.hpp"
#include "bus/bus.hpp"
#include "chat/service.hpp"
#include "http/rest_api.hpp"
#include "http/ws_api.hpp"
#include "hub/hub.hpp"
#include "net/listener.hpp"
#include "store/store.hpp"

namespace writeen::app {
namespace {

namespace net = boost::asio;
namespace fs = std::filesystem;

/// A configuration the server cannot start with; reported on stderr, exit code 2.
struct config_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

net::ip::tcp::endpoint parse_listen(const std::string& listen) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw config_error("--listen must be HOST:PORT, got '" + listen + "'");
    std::string host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host == "localhost") host = "127.0.0.1";
    boost::system::error_code ec;
    const auto address = net::ip::make_address(host, ec);
    if (ec) throw config_error("--listen host must be an IP address or localhost, got '" + host + "'");
    int port = -1;
    try {
        port = std::stoi(listen.substr(colon + 1));
    } catch (...) {
    }
    if (port < 0 || port > 65535) throw config_error("--listen port must be 0..65535");
    return {address, static_cast<unsigned short>(port)};
}

/// Raises the open-file soft limit to the hard limit: every WebSocket is a descriptor.
rlim_t raise_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

void prepare_data_dir(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create data dir '" + dir + "': " + ec.message());
    const fs::path probe = fs::path(dir) / ".write-probe";
    {
        std::ofstream out(probe);
        if (!out || !(out << "ok") || !out.flush())
            throw std::runtime_error("data dir '" + dir + "' is not writable");
    }
    fs::remove(probe, ec);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config_error("cannot read the key file '" + path + "'");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

auth::verifier_options verifier_options_of(const serve_config& c) {
    auth::verifier_options o;
    if (!c.jwt_public_key_file.empty()) {
        o.algorithm = c.jwt_algorithm.empty() ? "RS256" : c.jwt_algorithm;
        o.key = read_file(c.jwt_public_key_file);
    } else {
        if (c.jwt_secret.empty())
            throw config_error("no JWT secret: set --jwt-secret or WRITEEN_JWT_SECRET (at least 32 bytes), "
                               "or --jwt-public-key-file for RS256/ES256");
        o.algorithm = c.jwt_algorithm.empty() ? "HS256" : c.jwt_algorithm;
        o.key = c.jwt_secret;
    }
    if (!c.jwt_issuer.empty()) o.issuer = c.jwt_issuer;
    if (!c.jwt_audience.empty()) o.audience = c.jwt_audience;
    return o;
}

/// The built web client: the configured root, else web/dist beside the executable's repository.
std::string find_web_root(const std::string& configured) {
    if (!configured.empty()) return configured;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    for (const fs::path& candidate : {fs::path("web/dist"), exe.parent_path().parent_path() / "web/dist"})
        if (fs::exists(candidate / "index.html", ec)) return fs::absolute(candidate, ec).string();
    return {};
}

int run(const serve_config& config) {
    spdlog::set_level(spdlog::level::from_str(config.log_level));
    const auto endpoint = parse_listen(config.listen);
    if (config.dev && !endpoint.address().is_loopback())
        throw config_error("--dev is only allowed when --listen is a loopback address");
    if (config.rate_limit <= 0) throw config_error("--rate-limit must be positive");
    if (config.storage_sync != "full" && config.storage_sync != "normal")
        throw config_error("--storage-sync must be full or normal");

    std::unique_ptr<auth::token_verifier> verifier;
    try {
        verifier = std::make_unique<auth::token_verifier>(verifier_options_of(config));
    } catch (const std::invalid_argument& e) {
        throw config_error(e.what());
    }
    std::unique_ptr<auth::origin_policy> origins;
    try {
        origins = std::make_unique<auth::origin_policy>(config.allowed_origins);
    } catch (const std::invalid_argument& e) {
        throw config_error(std::string("--allowed-origins: ") + e.what());
    }

    prepare_data_dir(config.data_dir);
    const rlim_t files = raise_file_limit();
    spdlog::info("open-file limit {}: room for about {} connections", files, files > 64 ? files - 64 : 0);

    auto db = store::open_sqlite({.path = (fs::path(config.data_dir) / "writeen.db").string(),
                                  .synchronous_full = config.storage_sync == "full"});
    bus::local_bus bus;
    hub::hub hub(bus);
    chat::service chat(*db, hub, {.rate_limit_per_second = config.rate_limit});
    http::metrics metrics;

    http::rest_options rest_options;
    rest_options.dev = config.dev;
    rest_options.web_root = find_web_root(config.web_root);
    if (config.dev) {
        rest_options.dev_secret = config.jwt_secret;
        rest_options.demo_users = demo_users();
        seed_demo(chat, rest_options.demo_users);
    }
    http::rest_api rest(chat, *verifier, metrics, bus, rest_options);
    http::ws_api ws(chat, metrics);

    const int threads = config.threads > 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());
    net::io_context ioc(threads);
    server::server_context ctx{rest, ws, *origins, metrics};
    std::unique_ptr<server::listener> listener;
    try {
        listener = std::make_unique<server::listener>(ioc, endpoint, ctx);
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("cannot listen on " + config.listen + ": " + e.code().message());
    }
    listener->start();
    const auto bound = listener->local_endpoint();
    std::cout << "writeen-chat listening on http://" << bound.address().to_string() << ":" << bound.port() << std::endl;
    if (rest_options.web_root.empty()) spdlog::warn("no built web client found; only the API is served");
    spdlog::warn("file scanning is disabled: uploads will be marked unscanned");

    // Typing indicators that ran out, once a second; retention, once an hour.
    net::steady_timer typing_timer(ioc), retention_timer(ioc);
    std::function<void()> tick_typing = [&] {
        typing_timer.expires_after(std::chrono::seconds(1));
        typing_timer.async_wait([&](const boost::system::error_code& ec) {
            if (ec) return;
            chat.expire_typing();
            tick_typing();
        });
    };
    std::function<void()> tick_retention = [&] {
        chat.apply_retention();
        retention_timer.expires_after(std::chrono::hours(1));
        retention_timer.async_wait([&](const boost::system::error_code& ec) {
            if (!ec) tick_retention();
        });
    };
    tick_typing();
    tick_retention();

    // SIGTERM drains: stop accepting, commit what is queued (its acknowledgements go out),
    // close every socket with 1001 after what it has queued, then stop.
    net::signal_set signals(ioc, SIGTERM, SIGINT);
    net::steady_timer drain_timer(ioc);
    std::function<void(int)> wait_drained = [&](int rounds) {
        drain_timer.expires_after(std::chrono::milliseconds(50));
        drain_timer.async_wait([&, rounds](const boost::system::error_code&) {
            if (hub.connection_count() == 0 || rounds <= 0) return ioc.stop();
            wait_drained(rounds - 1);
        });
    };
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("signal {}: draining", signal);
        listener->stop();
        typing_timer.cancel();
        retention_timer.cancel();
        db->close();
        hub.close_all(1001, "server shutting down");
        wait_drained(100);
    });

    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();
    db->close();
    spdlog::info("stopped");
    return 0;
}

}  // namespace

int serve(const serve_config& config) {
    try {
        return run(config);
    } catch (const config_error& e) {
        std::cerr << "writeen-chat: " << e.what() << std::endl;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "writeen-chat: " << e.what() << std::endl;
        return 1;
    }
}

}  // namespace writeen::app

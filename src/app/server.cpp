#include "app/server.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <spdlog/spdlog.h>
#include <optional>
#include <random>
#include <thread>

#include "app/admin_paths.hpp"
#include "app/dev_seed.hpp"
#include "app/log_format.hpp"
#include "auth/origin_policy.hpp"
#include "auth/token_verifier.hpp"
#include "bus/bus.hpp"
#include "bus/redis_bus.hpp"
#include "chat/service.hpp"
#include "files/blob_cipher.hpp"
#include "files/encrypted_blob_store.hpp"
#include "files/local_blob_store.hpp"
#include "files/master_key.hpp"
#include "files/s3_blob_store.hpp"
#include "http/rest_api.hpp"
#include "notify/notifier.hpp"
#include "notify/vapid_key.hpp"
#include "http/ws_api.hpp"
#include "hub/hub.hpp"
#include "model/clock.hpp"
#include "net/address_limits.hpp"
#include "net/listener.hpp"
#include "store/store.hpp"
#include "store/store_factory.hpp"
#include "transcripts/signing_key.hpp"
#include "uploads/upload_pipeline.hpp"

namespace writeen::app {
namespace {

/// A random node id: 12 hex digits, enough to tell apart the nodes a cluster ever runs.
std::string random_node_id() {
    std::random_device rd;
    std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    char text[17];
    std::snprintf(text, sizeof text, "%012llx", static_cast<unsigned long long>(v & 0xffffffffffffULL));
    return text;
}

/// The bus of --bus: local for one node, Redis for several.
std::unique_ptr<bus::bus> open_bus(const serve_config& c);

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

/// The store file bytes go to before encryption: a directory under the data dir, or S3.
std::unique_ptr<files::blob_store> open_blob_store(const serve_config& c) {
    if (c.blob_store == "local") return std::make_unique<files::local_blob_store>(fs::path(c.data_dir) / "blobs");
    if (c.blob_store != "s3") throw config_error("--blob-store must be local or s3");
    if (c.s3_endpoint.empty() || c.s3_bucket.empty())
        throw config_error("--blob-store s3 needs --s3-endpoint and --s3-bucket");
    try {
        return std::make_unique<files::s3_blob_store>(files::s3_options{.endpoint = c.s3_endpoint,
                                                                        .bucket = c.s3_bucket,
                                                                        .region = c.s3_region,
                                                                        .access_key = c.s3_access_key,
                                                                        .secret_key = c.s3_secret_key,
                                                                        .path_style = c.s3_path_style,
                                                                        .key_prefix = "blobs/"});
    } catch (const std::invalid_argument& e) {
        throw config_error(std::string("S3: ") + e.what());
    }
}

uploads::pipeline_options pipeline_options_of(const serve_config& c) {
    uploads::pipeline_options o;
    if (c.scan == "clamd") {
        if (c.clamd_address.empty()) throw config_error("--scan clamd needs --clamd-address (tcp://HOST:PORT or unix:/PATH)");
        try {
            files::clamd_scanner probe(c.clamd_address);
        } catch (const std::invalid_argument& e) {
            throw config_error(std::string("--clamd-address: ") + e.what());
        }
        o.clamd_address = c.clamd_address;
    } else if (c.scan != "none") {
        throw config_error("--scan must be none or clamd");
    }
    if (c.scan_workers < 1 || c.scan_workers > 64) throw config_error("--scan-workers must be 1..64");
    o.scan_workers = static_cast<std::size_t>(c.scan_workers);
    if (c.scan_retry_max_s < 1 || c.scan_retry_max_s > 3600) throw config_error("--scan-retry-max-s must be 1..3600");
    o.scan_retry.max = std::chrono::seconds(c.scan_retry_max_s);
    o.scan_retry.first = std::min(o.scan_retry.first, o.scan_retry.max);
    if (c.soffice == "auto") o.office.soffice = files::office_converter::find_soffice();
    else if (c.soffice != "none") o.office.soffice = c.soffice;
    if (c.office_timeout_s < 1 || c.office_timeout_s > 600) throw config_error("--office-timeout must be 1..600 seconds");
    o.office.timeout = std::chrono::seconds(c.office_timeout_s);
    if (c.max_image_megapixels < 1 || c.max_image_megapixels > 1000)
        throw config_error("--max-image-megapixels must be 1..1000");
    o.preview.max_pixels = static_cast<std::uint64_t>(c.max_image_megapixels) * 1'000'000;
    if (c.thumbnail_workers < 1 || c.thumbnail_workers > 16) throw config_error("--thumbnail-workers must be 1..16");
    o.thumbnail_workers = static_cast<std::size_t>(c.thumbnail_workers);
    return o;
}

/// Seconds from a flag, as milliseconds; config_error unless within [min, max].
std::int64_t flag_ms(double seconds, const char* flag, double min, double max) {
    if (!(seconds >= min && seconds <= max))
        throw config_error(std::string(flag) + " must be from " + std::to_string(min) + " to " + std::to_string(max));
    return static_cast<std::int64_t>(seconds * 1000);
}

notify::notifier_options notifier_options_of(const serve_config& c, const notify::vapid_key& vapid) {
    notify::notifier_options o;
    o.planning.delay_ms = flag_ms(c.notify_delay_s, "--notify-delay-s", 0, 86400);
    o.planning.idle_ms = flag_ms(c.notify_idle_s, "--notify-idle-s", 0, 86400);
    o.planning.coalesce_ms = flag_ms(c.notify_coalesce_s, "--notify-coalesce-s", 0, 86400);
    o.webhook_url = c.notify_webhook_url;
    if (!o.webhook_url.empty()) {
        if (o.webhook_url.rfind("https://", 0) != 0 && o.webhook_url.rfind("http://", 0) != 0)
            throw config_error("--notify-webhook-url must be an http: or https: URL");
        o.webhook_secret = c.notify_webhook_secret;
        if (!c.notify_webhook_secret_file.empty()) {
            std::ifstream in(c.notify_webhook_secret_file, std::ios::binary);
            if (!in) throw config_error("cannot read --notify-webhook-secret-file");
            std::getline(in, o.webhook_secret);
        }
        if (o.webhook_secret.size() < 16)
            throw config_error("--notify-webhook-url needs a secret of at least 16 bytes (--notify-webhook-secret)");
    }
    if (c.vapid_subject.rfind("mailto:", 0) != 0 && c.vapid_subject.rfind("https:", 0) != 0)
        throw config_error("--vapid-subject must be a mailto: or https: URI");
    o.vapid = &vapid;
    o.push.vapid_subject = c.vapid_subject;
    o.allow_loopback = c.notify_allow_loopback;
    return o;
}

int run(const serve_config& config) {
    spdlog::set_level(spdlog::level::from_str(config.log_level));
    if (!use_log_format(config.log_format)) throw config_error("--log-format must be text or json");
    // In json mode the plain start-up lines (listening on ...) become log lines too.
    std::optional<stdout_lines_as_log> stdout_as_log;
    if (config.log_format == "json") stdout_as_log.emplace();
    const auto endpoint = parse_listen(config.listen);
    if (config.dev && !endpoint.address().is_loopback())
        throw config_error("--dev is only allowed when --listen is a loopback address");
    if (config.rate_limit <= 0) throw config_error("--rate-limit must be positive");
    if (config.presence_large_group < 2) throw config_error("--presence-large-group must be at least 2");
    if (config.storage_sync != "full" && config.storage_sync != "normal")
        throw config_error("--storage-sync must be full or normal");
    if (!(config.commit_interval_ms >= 0 && config.commit_interval_ms <= 100))
        throw config_error("--commit-interval-ms must be from 0 to 100");
    if (config.header_timeout_s < 1) throw config_error("--header-timeout-s must be at least 1");
    if (config.body_idle_timeout_s < 1) throw config_error("--body-idle-timeout-s must be at least 1");
    if (config.max_connections_per_address < 0) throw config_error("--max-connections-per-address must be 0 or more");
    if (config.max_pending_headers_per_address < 0)
        throw config_error("--max-pending-headers-per-address must be 0 or more");

    // Made first, so that they outlive everything that may hold a connection's lease (the hub's
    // sockets, the event loop's coroutines).
    std::optional<server::address_limits> connections_per_address, pending_headers_per_address;
    if (config.max_connections_per_address > 0)
        connections_per_address.emplace(static_cast<std::size_t>(config.max_connections_per_address));
    if (config.max_pending_headers_per_address > 0)
        pending_headers_per_address.emplace(static_cast<std::size_t>(config.max_pending_headers_per_address));

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

    if (config.store != "sqlite" && config.store != "postgres")
        throw config_error("--store must be sqlite or postgres, not '" + config.store + "'");
    if (config.read_connections < 1 || config.read_connections > 64)
        throw config_error("--read-connections must be between 1 and 64");
    if (config.store == "postgres" && config.postgres_url.empty())
        throw config_error("--store postgres needs --postgres-url (or WRITEEN_POSTGRES_URL)");
    auto db = store::open_store({.engine = config.store,
                                 .postgres_url = config.postgres_url,
                                 .path = database_file(config.data_dir),
                                 .synchronous_full = config.storage_sync == "full",
                                 .read_connections = config.read_connections,
                                 .commit_interval = std::chrono::microseconds(
                                     static_cast<std::int64_t>(config.commit_interval_ms * 1000))});
    const auto bus_ptr = open_bus(config);
    bus::bus& bus = *bus_ptr;
    auto* redis = dynamic_cast<bus::redis_bus*>(&bus);
    // Before the event loop and the hub: sockets still open when the loop stops are destroyed
    // with it or with the hub, and take their deadlines out of the wheel as they go.
    server::deadline_wheel deadlines;
    hub::hub hub(bus);
    chat::service chat(*db, hub,
                       {.rate_limit_per_second = config.rate_limit,
                        .presence_large_group = static_cast<std::size_t>(config.presence_large_group)});
    http::metrics metrics;

    // File bytes: encrypted at rest whatever the store, with a master key kept apart from them.
    auto plain_store = open_blob_store(config);
    const fs::path key_path =
        config.master_key_file.empty() ? fs::path(config.data_dir) / "master.key" : fs::path(config.master_key_file);
    std::optional<files::master_key> master;
    try {
        master = files::master_key::load_or_create(key_path);
    } catch (const std::runtime_error& e) {
        throw config_error(std::string("master key: ") + e.what());
    }
    files::encrypted_blob_store blob_store(*plain_store, files::blob_cipher(*master));
    uploads::upload_pipeline upload_pipeline(chat, blob_store, pipeline_options_of(config));

    http::rest_options rest_options;
    rest_options.dev = config.dev;
    rest_options.web_root = find_web_root(config.web_root);
    if (config.dev) {
        rest_options.dev_secret = config.jwt_secret;
        rest_options.demo_users = demo_users();
        seed_demo(chat, rest_options.demo_users);
    }
    // Transcripts: signed with a key kept apart from the database; its public half is recorded
    // there, so every key ever used stays listed after the file is replaced (a rotation).
    const fs::path transcript_key_path = config.transcript_key_file.empty()
                                             ? fs::path(config.data_dir) / "transcript.key"
                                             : fs::path(config.transcript_key_file);
    std::optional<transcripts::signing_key> transcript_key;
    try {
        transcript_key = transcripts::signing_key::load_or_create(transcript_key_path);
    } catch (const std::runtime_error& e) {
        throw config_error(std::string("transcript key: ") + e.what());
    }
    chat.sessions().register_transcript_key(
        {.key_id = transcript_key->key_id(), .public_key_pem = transcript_key->public_key_pem(), .created_at = now_ms()});

    http::rest_api rest(chat, *verifier, metrics, bus, rest_options);
    rest.set_files(upload_pipeline);
    rest.set_data_dir(config.data_dir);
    rest.set_transcript_signer(*transcript_key);

    // Notifications: the VAPID key is kept like the master key (losing it ends every browser
    // subscription); the notifier runs on its own thread.
    const fs::path vapid_path =
        config.vapid_key_file.empty() ? fs::path(config.data_dir) / "vapid.key" : fs::path(config.vapid_key_file);
    std::optional<notify::vapid_key> vapid;
    try {
        vapid = notify::vapid_key::load_or_create(vapid_path);
    } catch (const std::runtime_error& e) {
        throw config_error(std::string("vapid key: ") + e.what());
    }
    rest.set_vapid_key(*vapid);
    notify::notifier notifier(*db, hub, notifier_options_of(config, *vapid), metrics.notify);
    notifier.start();
    struct notifier_stop {
        notify::notifier& n;
        ~notifier_stop() { n.stop(); }
    } stop_notifier{notifier};
    http::ws_api ws(chat, metrics);

    server::server_context ctx{rest, ws, *origins, metrics, deadlines};
    ctx.timeouts.header = std::chrono::seconds(config.header_timeout_s);
    ctx.timeouts.body_idle = std::chrono::seconds(config.body_idle_timeout_s);
    if (connections_per_address) ctx.connections_per_address = &*connections_per_address;
    if (pending_headers_per_address) ctx.pending_headers_per_address = &*pending_headers_per_address;
    const int threads = config.threads > 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());
    net::io_context ioc(threads);
    deadlines.start(ioc.get_executor());
    struct wheel_stop {
        server::deadline_wheel& wheel;
        ~wheel_stop() { wheel.stop(); }  // its timer goes before ioc does
    } stop_wheel{deadlines};
    // The Redis bus runs on the event loop and lets go of it before it goes, however this ends.
    struct bus_stop {
        bus::redis_bus* redis;
        ~bus_stop() {
            if (redis) redis->stop();
        }
    } stop_bus{redis};
    if (redis) {
        // After an outage of the bus this node may have missed deliveries from the others:
        // its clients reconnect (1012: service restart) and catch up with sync.
        bus.on_resync([&hub] { hub.close_all(1012, "reconnect and sync"); });
        redis->start(ioc);
    }
    // From here on (the demo seed above waits for its writes), acknowledgements and broadcasts
    // run on the event loop, one hand-off per committed batch, in commit order (a strand).
    auto completions = net::make_strand(ioc);
    db->run_completions_on([completions](std::function<void()> batch) { net::post(completions, std::move(batch)); });
    // The runner holds a strand of ioc: it goes before ioc does, however this function ends.
    struct runner_reset {
        store::database& db;
        ~runner_reset() { db.run_completions_on(nullptr); }
    } reset_runner{*db};

    std::unique_ptr<server::listener> listener;
    try {
        listener = std::make_unique<server::listener>(ioc, endpoint, ctx);
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("cannot listen on " + config.listen + ": " + e.code().message());
    }
    listener->start();
    const auto bound = listener->local_endpoint();
    if (rest_options.web_root.empty()) spdlog::warn("no built web client found; only the API is served");
    if (upload_pipeline.scanning()) {
        spdlog::info("uploads are scanned by {}", upload_pipeline.scanner_description());
        if (!upload_pipeline.scanner_reachable())
            spdlog::warn("clamd at {} does not answer: uploads wait with scanStatus pending until it does",
                         config.clamd_address);
    } else {
        spdlog::warn("file scanning is disabled (--scan none): uploads are marked unscanned and served unscanned");
    }
    spdlog::info("previews of Office files (DOCX, PPTX): {}", upload_pipeline.office_description());
    spdlog::info("file bytes are stored {} and encrypted at rest", config.blob_store == "s3" ? "in S3" : "locally");
    // Last of the start lines: scripts and tests read everything above once they see it.
    std::cout << "writeen-chat listening on http://" << bound.address().to_string() << ":" << bound.port() << std::endl;
    upload_pipeline.resume_unfinished();

    // Typing indicators that ran out, once a second; presence digests, four times a second;
    // retention, once an hour.
    net::steady_timer typing_timer(ioc), digest_timer(ioc), retention_timer(ioc);
    std::function<void()> tick_typing = [&] {
        typing_timer.expires_after(std::chrono::seconds(1));
        typing_timer.async_wait([&](const boost::system::error_code& ec) {
            if (ec) return;
            chat.presence().expire_typing();
            tick_typing();
        });
    };
    std::function<void()> tick_digests = [&] {
        digest_timer.expires_after(std::chrono::milliseconds(250));
        digest_timer.async_wait([&](const boost::system::error_code& ec) {
            if (ec) return;
            chat.presence().flush_digests();
            tick_digests();
        });
    };
    std::function<void()> tick_retention = [&] {
        // Once per cluster: the node that holds the job (store::database::leads); the others
        // ask again at their next tick, so one takes over within the hour if it stops.
        if (db->leads("retention")) chat.files().apply_retention();
        retention_timer.expires_after(std::chrono::hours(1));
        retention_timer.async_wait([&](const boost::system::error_code& ec) {
            if (!ec) tick_retention();
        });
    };
    tick_typing();
    tick_digests();
    tick_retention();

    // SIGTERM drains: stop accepting, commit what is queued (its acknowledgements go out),
    // close every socket with 1001 after what it has queued, then stop.
    net::signal_set signals(ioc, SIGTERM, SIGINT);
    net::steady_timer drain_timer(ioc);
    std::function<void(int)> wait_drained = [&](int rounds) {
        drain_timer.expires_after(std::chrono::milliseconds(50));
        drain_timer.async_wait([&, rounds](const boost::system::error_code&) {
            if (const auto open = hub.connection_count(); open == 0 || rounds <= 0) {
                spdlog::info("drained: {} sockets still open", open);
                return ioc.stop();
            }
            wait_drained(rounds - 1);
        });
    };
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("signal {}: draining", signal);
        listener->stop();
        typing_timer.cancel();
        digest_timer.cancel();
        retention_timer.cancel();
        notifier.stop();
        // Everyone still connected goes offline now: their last seen goes into the last batch,
        // not into a store already closed when their sockets close below.
        chat.users().all_went_offline(hub.users());
        db->close();
        // After the last batch's acknowledgements: they were handed to the same strand first.
        net::post(completions, [&] {
            spdlog::info("closing {} sockets", hub.connection_count());
            hub.close_all(1001, "server shutting down");
            wait_drained(100);
        });
    });

    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();
    notifier.stop();
    db->close();
    spdlog::info("stopped");
    return 0;
}

std::unique_ptr<bus::bus> open_bus(const serve_config& c) {
    if (c.bus == "local") return std::make_unique<bus::local_bus>();
    if (c.bus != "redis") throw config_error("--bus must be local or redis");
    const auto address = bus::parse_redis_url(c.redis_url);
    if (!address) throw config_error("--bus redis needs --redis-url redis://HOST:PORT/DB");
    if (!(c.presence_ttl_s >= 3 && c.presence_ttl_s <= 600)) throw config_error("--presence-ttl-s must be 3..600");
    bus::redis_options o{.address = *address,
                         .node_id = c.node_id.empty() ? random_node_id() : c.node_id,
                         .presence_ttl = std::chrono::milliseconds(static_cast<std::int64_t>(c.presence_ttl_s * 1000))};
    if (o.node_id.size() > 64 || o.node_id.find_first_of(" \t\r\n") != std::string::npos)
        throw config_error("--node-id must be at most 64 characters without spaces");
    spdlog::info("bus: redis at {}:{} db {}, node {}", o.address.host, o.address.port, o.address.db, o.node_id);
    return std::make_unique<bus::redis_bus>(std::move(o));
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

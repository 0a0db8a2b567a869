// writeen-chat: `serve` runs the chat server, `token` mints a development token,
// `verify-transcript` checks a saved session transcript offline; `backup`, `export` and
// `migrate --check` are the operator's commands (docs/OPERATIONS.md).
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/backup_command.hpp"
#include "app/config.hpp"
#include "app/export_command.hpp"
#include "app/migrate_command.hpp"
#include "app/server.hpp"
#include "app/verify_transcript.hpp"
#include "auth/roles.hpp"
#include "auth/token_minter.hpp"
#include "model/clock.hpp"

namespace {

using writeen::app::serve_config;
using writeen::app::token_config;

/// A flag that also reads WRITEEN_<NAME>; the flag wins when both are given.
template <class T>
CLI::Option* option(CLI::App& app, const std::string& name, T& target, const std::string& help) {
    std::string env = "WRITEEN_";
    for (char c : name) env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return app.add_option("--" + name, target, help)->envname(env)->capture_default_str();
}

int mint(const token_config& c) {
    if (c.jwt_secret.empty()) {
        std::cerr << "writeen-chat token: no secret: set --jwt-secret or WRITEEN_JWT_SECRET\n";
        return 2;
    }
    const auto role = writeen::auth::parse_role(c.role);
    if (!role) {
        std::cerr << "writeen-chat token: --role must be student, tutor, admin or service\n";
        return 2;
    }
    try {
        writeen::auth::mint_options options{.secret = c.jwt_secret,
                                            .subject = c.user,
                                            .name = c.name,
                                            .role = *role,
                                            .issued_at_ms = writeen::now_ms(),
                                            .lifetime = std::chrono::hours(c.ttl_hours)};
        if (!c.avatar.empty()) options.avatar = c.avatar;
        std::cout << writeen::auth::mint_token(options) << "\n";
        return 0;
    } catch (const std::invalid_argument& e) {
        std::cerr << "writeen-chat token: " << e.what() << "\n";
        return 2;
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Writeen Chat: real-time chat for thesis consultations"};
    app.require_subcommand(1);

    serve_config serve;
    auto* serve_cmd = app.add_subcommand("serve", "Run the chat server");
    option(*serve_cmd, "listen", serve.listen, "Address to listen on, HOST:PORT (port 0: any free port)");
    option(*serve_cmd, "data-dir", serve.data_dir, "Directory for the database and files");
    option(*serve_cmd, "jwt-secret", serve.jwt_secret, "HS256 secret shared with the Writeen main app (>= 32 bytes)");
    option(*serve_cmd, "jwt-public-key-file", serve.jwt_public_key_file, "PEM public key for RS256/ES256 tokens");
    option(*serve_cmd, "jwt-algorithm", serve.jwt_algorithm, "HS256 (default with a secret), RS256 or ES256");
    option(*serve_cmd, "jwt-issuer", serve.jwt_issuer, "Required `iss` of tokens, if set");
    option(*serve_cmd, "jwt-audience", serve.jwt_audience, "Required `aud` of tokens, if set");
    option(*serve_cmd, "allowed-origins", serve.allowed_origins,
           "Browser origins allowed besides the server's own, comma-separated ('*': any)");
    serve_cmd->add_flag("--dev", serve.dev, "Demo users, a demo consultation and /api/dev/token (loopback only)")
        ->envname("WRITEEN_DEV");
    option(*serve_cmd, "rate-limit", serve.rate_limit, "Messages per second per user (burst: twice that)");
    option(*serve_cmd, "web-root", serve.web_root, "Directory of the built web client (default: web/dist)");
    option(*serve_cmd, "store", serve.store, "Where messages are stored: sqlite (DATA_DIR/writeen.db) or postgres");
    option(*serve_cmd, "postgres-url", serve.postgres_url, "libpq URL of the database (with --store postgres)");
    option(*serve_cmd, "read-connections", serve.read_connections,
           "Connections the store keeps for reads (history, lists, search, sync), 1 to 64");
    option(*serve_cmd, "storage-sync", serve.storage_sync, "full (survives power loss) or normal");
    option(*serve_cmd, "commit-interval-ms", serve.commit_interval_ms,
           "Least time between two commits: under load more messages share one (0 to 100)");
    option(*serve_cmd, "threads", serve.threads, "I/O threads (0: one per core)");
    option(*serve_cmd, "bus", serve.bus, "local (one node) or redis (several nodes behind a load balancer)");
    option(*serve_cmd, "redis-url", serve.redis_url, "With --bus redis: redis://HOST:PORT/DB");
    option(*serve_cmd, "node-id", serve.node_id, "With --bus redis: this node's name, unique in the cluster (default: random)");
    option(*serve_cmd, "presence-ttl-s", serve.presence_ttl_s, "With --bus redis: seconds a silent node's users stay online");
    option(*serve_cmd, "presence-large-group", serve.presence_large_group,
           "Conversations with more members get presence as a digest every 250 ms, to those viewing them");
    option(*serve_cmd, "log-level", serve.log_level, "trace, debug, info, warn or error");
    option(*serve_cmd, "header-timeout-s", serve.header_timeout_s,
           "Seconds a connection may take to send a request's headers (from accept or its first byte)");
    option(*serve_cmd, "body-idle-timeout-s", serve.body_idle_timeout_s,
           "Seconds a request body may send nothing before the connection is dropped");
    option(*serve_cmd, "max-connections-per-address", serve.max_connections_per_address,
           "Open connections per client address; more are closed at once (0: no limit)");
    option(*serve_cmd, "max-pending-headers-per-address", serve.max_pending_headers_per_address,
           "Connections per client address still sending their headers; more are closed at once (0: no limit)");
    option(*serve_cmd, "log-format", serve.log_format, "text, or json: one object per line (ts, level, msg, requestId)");
    option(*serve_cmd, "scan", serve.scan, "Virus scanning of uploads: none (files are marked unscanned) or clamd");
    option(*serve_cmd, "clamd-address", serve.clamd_address, "clamd to scan with: tcp://HOST:PORT or unix:/PATH");
    option(*serve_cmd, "scan-workers", serve.scan_workers, "Scans at once (more uploads wait in a queue)");
    option(*serve_cmd, "scan-retry-max-s", serve.scan_retry_max_s,
           "Longest wait between two probes of an unreachable clamd (uploads wait pending meanwhile)");
    option(*serve_cmd, "blob-store", serve.blob_store, "Where file bytes go: local (DATA_DIR/blobs) or s3");
    option(*serve_cmd, "s3-endpoint", serve.s3_endpoint, "S3 endpoint URL, e.g. https://s3.eu-central-1.amazonaws.com");
    option(*serve_cmd, "s3-bucket", serve.s3_bucket, "S3 bucket (must exist)");
    option(*serve_cmd, "s3-region", serve.s3_region, "S3 signing region");
    option(*serve_cmd, "s3-access-key", serve.s3_access_key, "S3 access key id");
    option(*serve_cmd, "s3-secret-key", serve.s3_secret_key, "S3 secret access key");
    option(*serve_cmd, "s3-path-style", serve.s3_path_style, "Path-style S3 URLs (endpoint/bucket/key): true or false");
    option(*serve_cmd, "master-key-file", serve.master_key_file,
           "32-byte key that encrypts file data keys (default: DATA_DIR/master.key, made on first start)");
    option(*serve_cmd, "soffice", serve.soffice, "LibreOffice for DOCX/PPTX previews: auto, none or a path");
    option(*serve_cmd, "office-timeout", serve.office_timeout_s, "Seconds a LibreOffice conversion may run before it is killed");
    option(*serve_cmd, "max-image-megapixels", serve.max_image_megapixels,
           "Images whose header declares more megapixels are never decoded (no thumbnail, no size)");
    option(*serve_cmd, "thumbnail-workers", serve.thumbnail_workers, "Image and PDF thumbnails made at once (1..16)");
    option(*serve_cmd, "transcript-key-file", serve.transcript_key_file,
           "Ed25519 key (PEM) that signs session transcripts (default: DATA_DIR/transcript.key, made on first start)");

    option(*serve_cmd, "notify-delay-s", serve.notify_delay_s,
           "Seconds after a message is stored before its recipients are notified (decimals allowed)");
    option(*serve_cmd, "notify-idle-s", serve.notify_idle_s,
           "A socket opened or used within these seconds counts as looking: no notification (0: none counts)");
    option(*serve_cmd, "notify-coalesce-s", serve.notify_coalesce_s,
           "At most one message notification per user and conversation per these seconds");
    option(*serve_cmd, "notify-webhook-url", serve.notify_webhook_url, "URL that receives notifications (POST JSON)");
    option(*serve_cmd, "notify-webhook-secret", serve.notify_webhook_secret,
           "HMAC-SHA256 key of the webhook's X-Writeen-Signature");
    option(*serve_cmd, "notify-webhook-secret-file", serve.notify_webhook_secret_file,
           "File holding the webhook secret (instead of --notify-webhook-secret)");
    option(*serve_cmd, "vapid-key-file", serve.vapid_key_file,
           "P-256 key (PEM) of Web Push (default: DATA_DIR/vapid.key, made on first start)");
    option(*serve_cmd, "vapid-subject", serve.vapid_subject, "Operator contact for push services: mailto: or https: URI");
    option(*serve_cmd, "notify-allow-loopback", serve.notify_allow_loopback,
           "Allow push endpoints on loopback addresses (tests): true or false");

    token_config token;
    auto* token_cmd = app.add_subcommand("token", "Mint a development token (HS256)");
    option(*token_cmd, "jwt-secret", token.jwt_secret, "HS256 secret (>= 32 bytes)");
    token_cmd->add_option("--user", token.user, "User id (sub)")->required();
    token_cmd->add_option("--name", token.name, "Display name");
    token_cmd->add_option("--role", token.role, "student, tutor, admin or service")->capture_default_str();
    token_cmd->add_option("--avatar", token.avatar, "Avatar URL");
    token_cmd->add_option("--ttl-hours", token.ttl_hours, "Lifetime in hours")->capture_default_str();

    std::string transcript_file, public_key_file;
    auto* verify_cmd = app.add_subcommand("verify-transcript", "Check a saved session transcript: exit 0 if valid");
    verify_cmd->add_option("FILE", transcript_file, "The transcript (the API's answer, as saved)")->required();
    verify_cmd->add_option("--public-key", public_key_file, "The signer's public key (PEM), from GET /api/transcripts/keys");

    writeen::app::store_location admin_store;
    std::string& admin_data_dir = admin_store.data_dir;
    // The admin commands open the store `serve` uses, so they take the same settings.
    const auto store_options = [&](CLI::App& cmd) {
        option(cmd, "store", admin_store.engine, "The server's store: sqlite or postgres");
        option(cmd, "postgres-url", admin_store.postgres_url, "libpq URL of the database (with --store postgres)");
    };
    std::string backup_destination;
    auto* backup_cmd = app.add_subcommand("backup", "Copy the database consistently while the server serves");
    backup_cmd->add_option("DEST", backup_destination, "The new file to write (must not exist)")->required();
    option(*backup_cmd, "data-dir", admin_data_dir, "The server's data directory");
    store_options(*backup_cmd);

    std::string export_conversation;
    auto* export_cmd = app.add_subcommand("export", "Print one conversation as JSON (participants, messages, files)");
    export_cmd->add_option("--conversation", export_conversation, "The conversation's id")->required();
    export_cmd->add_option("--data-dir,--data", admin_data_dir, "The server's data directory")
        ->envname("WRITEEN_DATA_DIR")
        ->capture_default_str();
    store_options(*export_cmd);

    bool migrate_check = false;
    auto* migrate_cmd = app.add_subcommand("migrate", "Schema migrations (serve applies them at start)");
    migrate_cmd->add_flag("--check", migrate_check, "Exit 0 if the schema is current, 1 listing pending migrations")
        ->required();
    option(*migrate_cmd, "data-dir", admin_data_dir, "The server's data directory");
    store_options(*migrate_cmd);

    CLI11_PARSE(app, argc, argv);
    if (*token_cmd) return mint(token);
    if (*backup_cmd) return writeen::app::run_backup(admin_store, backup_destination, std::cout, std::cerr);
    if (*export_cmd) return writeen::app::run_export(admin_store, export_conversation, std::cout, std::cerr);
    if (*migrate_cmd) return writeen::app::run_migrate_check(admin_store, std::cout, std::cerr);
    if (*verify_cmd) return writeen::app::verify_transcript(transcript_file, public_key_file, std::cout, std::cerr);
    return writeen::app::serve(serve);
}

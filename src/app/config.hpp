#pragma once
#include <optional>
#include <string>

namespace writeen::app {

/// Everything `serve` is configured with: each flag also reads WRITEEN_<NAME>; a flag wins.
struct serve_config {
    std::string listen = "127.0.0.1:8080";
    std::string data_dir = "./data";
    std::string jwt_secret;
    std::string jwt_public_key_file;  // RS256/ES256 instead of the shared secret
    std::string jwt_algorithm;        // HS256 with a secret; RS256 or ES256 with a key file
    std::string jwt_issuer;
    std::string jwt_audience;
    std::string allowed_origins;      // empty: same origin as the Host header only
    bool dev = false;
    double rate_limit = 20;
    std::string web_root;             // empty: web/dist beside the repository, if built
    std::string store = "sqlite";     // sqlite (DATA_DIR/writeen.db) | postgres (--postgres-url)
    std::string postgres_url;         // libpq URL of the database, with --store postgres
    int read_connections = 4;         // the store's pool of read connections
    std::string storage_sync = "full";
    double commit_interval_ms = 5;    // least time between two commits (group commit under load)
    int threads = 0;                  // 0: one per core
    std::string bus = "local";        // local | redis (several nodes)
    std::string redis_url;            // redis://host:port/db
    std::string node_id;              // empty: random at start
    double presence_ttl_s = 20;       // a node that stops heartbeating keeps its users online this long
    int presence_large_group = 100;   // more members: presence as digests to viewers (chat::presence)
    std::string log_level = "info";
    // Slowloris defences (docs/OPERATIONS.md): 0 for a per-address limit means none.
    int header_timeout_s = 10;
    int body_idle_timeout_s = 30;
    int max_connections_per_address = 256;
    int max_pending_headers_per_address = 32;
    std::string log_format = "text";  // text | json (one object per line, for log shippers)
    // Files (docs/FILES.md).
    std::string scan = "none";         // none | clamd
    std::string clamd_address;         // tcp://host:port or unix:/path (with --scan clamd)
    int scan_workers = 2;
    int scan_retry_max_s = 30;         // longest wait between two probes of an unreachable clamd
    std::string blob_store = "local";  // local (under data_dir/blobs) | s3
    std::string s3_endpoint;
    std::string s3_bucket;
    std::string s3_region = "us-east-1";
    std::string s3_access_key;
    std::string s3_secret_key;
    bool s3_path_style = true;
    std::string master_key_file;       // empty: data_dir/master.key, created on first start
    std::string transcript_key_file;   // empty: data_dir/transcript.key, created on first start
    // Notifications (docs/NOTIFICATIONS.md).
    double notify_delay_s = 10;        // a message is notified this long after it was stored
    double notify_idle_s = 120;        // a socket used within this counts as looking
    double notify_coalesce_s = 60;     // at most one message notification per user and conversation
    std::string notify_webhook_url;    // empty: no webhook channel
    std::string notify_webhook_secret;
    std::string notify_webhook_secret_file;
    std::string vapid_key_file;        // empty: data_dir/vapid.key, created on first start
    std::string vapid_subject = "mailto:admin@writeen.invalid";
    bool notify_allow_loopback = false;  // push endpoints/webhook on loopback (tests, local relays)
    std::string soffice = "auto";      // LibreOffice for DOCX/PPTX previews: auto (PATH), none, or a path
    int office_timeout_s = 60;         // a LibreOffice conversion running longer is killed
    int max_image_megapixels = 50;     // images declaring more get no preview and are not decoded
    int thumbnail_workers = 2;         // image and PDF thumbnails made at once
};

struct token_config {
    std::string jwt_secret;
    std::string user;
    std::string name;
    std::string role = "student";
    std::string avatar;
    int ttl_hours = 12;
};

}  // namespace writeen::app

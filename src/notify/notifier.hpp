#pragma once
// The notifier (docs/NOTIFICATIONS.md): its own thread that plans notifications from the message
// log and the consultation outbox every ~250 ms, commits each round in one transaction through
// the store's single writer, and sends due deliveries over the webhook and Web Push channels
// with libcurl's multi interface on the same thread. Never runs on an I/O thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "hub/hub.hpp"
#include "notify/http_sender.hpp"
#include "notify/notification_planner.hpp"
#include "notify/notify_metrics.hpp"
#include "notify/web_push_channel.hpp"
#include "notify/webhook_channel.hpp"
#include "store/store.hpp"

namespace writeen::notify {

struct notifier_options {
    planner_options planning;
    std::string webhook_url;  // empty: no webhook channel
    std::string webhook_secret;
    const vapid_key* vapid = nullptr;  // null: no Web Push channel (not owned)
    web_push_options push;
    bool allow_loopback = false;  // push endpoints on loopback (tests)
    std::chrono::milliseconds interval{250};
    /// Finished notifications (and their sends) are kept this long for the in-app list.
    std::chrono::hours keep_for{24 * 30};
    http_sender_options http;
};

class notifier {
public:
    notifier(store::database& db, hub::hub& hub, notifier_options options, notify_metrics& metrics);
    ~notifier();
    notifier(const notifier&) = delete;
    notifier& operator=(const notifier&) = delete;

    /// Starts the thread.
    void start();
    /// Stops the thread after its current round; sends in flight are abandoned (retried after
    /// a restart: the same notification id). Call before the database closes. Idempotent.
    void stop();

private:
    struct outcome {
        notification_delivery delivery;
        bool delete_subscription = false;
    };
    void run();
    /// One planning round and its commit; true when a batch was full (plan again at once).
    bool round(unix_ms now);
    void start_sends(unix_ms now);
    void finish(const http_result& r, unix_ms now);
    void give_up(notification_delivery d, const std::string& channel, const std::string& why);
    /// Runs work on the writer and waits for its commit; false (logged) when it failed.
    bool commit(store::write_work work, const char* what);

    store::database& db_;
    hub::hub& hub_;
    notifier_options options_;
    notify_metrics& metrics_;
    webhook_channel webhook_;
    std::unique_ptr<web_push_channel> web_push_;
    // Touched only by the notifier's thread.
    std::unique_ptr<http_sender> sender_;
    std::unordered_map<std::int64_t, due_delivery> in_flight_;  // sends started or with a result not yet committed
    std::vector<outcome> outcomes_;                            // results waiting for the next commit
    std::mt19937_64 random_;
    unix_ms next_prune_ = 0;
    bool leading_ = true;  // whether the last round found this node running the notifier
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace writeen::notify

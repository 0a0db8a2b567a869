#include "notify/notifier.hpp"

#include <spdlog/spdlog.h>

#include <future>
#include <memory>

#include "model/clock.hpp"
#include "notify/notification_rules.hpp"

namespace writeen::notify {
namespace {

std::size_t index_of(const std::string& channel) {
    return static_cast<std::size_t>(channel == "webpush" ? notify::channel::webpush : notify::channel::webhook);
}

}  // namespace

notifier::notifier(store::database& db, hub::hub& hub, notifier_options options, notify_metrics& metrics)
    : db_(db),
      hub_(hub),
      options_(std::move(options)),
      metrics_(metrics),
      webhook_(options_.webhook_url, options_.webhook_secret),
      random_(std::random_device{}()) {
    options_.planning.webhook = webhook_.configured();
    if (options_.vapid) web_push_ = std::make_unique<web_push_channel>(*options_.vapid, options_.push, options_.allow_loopback);
}

notifier::~notifier() { stop(); }

void notifier::start() {
    sender_ = std::make_unique<http_sender>(options_.http);
    thread_ = std::thread([this] { run(); });
}

void notifier::stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
}

bool notifier::commit(store::write_work work, const char* what) {
    // Shared: set_value may still be running on the completion thread when get() returns here.
    auto done = std::make_shared<std::promise<std::exception_ptr>>();
    auto result = done->get_future();
    db_.submit(std::move(work), [done](std::exception_ptr e) { done->set_value(e); });
    // Completions run on the server's event loop: with one I/O thread busy stopping this
    // notifier, a plain wait would never end. Stopping gives the round up instead (it is
    // committed or not; the next start reads the cursor and the sends from the database).
    while (result.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready)
        if (stopping_) return false;
    if (auto e = result.get()) {
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            spdlog::warn("notifier: {} was not stored (retried next round): {}", what, ex.what());
        }
        return false;
    }
    return true;
}

void notifier::run() {
    auto next_round = std::chrono::steady_clock::now();
    while (!stopping_) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= next_round) {
            bool more = false;
            try {
                more = round(now_ms());
            } catch (const std::exception& e) {
                spdlog::warn("notifier: round failed (retried): {}", e.what());
            }
            next_round = now + (more ? std::chrono::milliseconds(0) : options_.interval);
        }
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_round - std::chrono::steady_clock::now());
        for (const auto& r : sender_->poll(std::max(std::chrono::milliseconds(1), std::min(wait, options_.interval))))
            finish(r, now_ms());
    }
}

bool notifier::round(unix_ms now) {
    // One notifier per cluster (store::database::leads): two would plan the same messages.
    // Results of sends already started wait in outcomes_ until this node leads again; the
    // node that took over retries those sends when they fall due.
    const bool leading = db_.leads("notifier");
    if (leading != leading_) {
        if (leading) spdlog::info("notifier: this node now runs the cluster's notifier");
        else spdlog::info("notifier: another node runs the cluster's notifier; this one waits");
        leading_ = leading;
    }
    if (!leading) return false;
    round_plan plan;
    std::optional<unix_ms> oldest_send;
    db_.read([&](store::reader& q) {
        plan = plan_round(q, now, options_.planning, [this](const std::string& user) { return hub_.last_activity_of(user); });
        oldest_send = q.oldest_pending_delivery();
    });
    if (now >= next_prune_) {
        // Once an hour, in a round's own transaction: the in-app list keeps keep_for.
        plan.prune_before = now - std::chrono::duration_cast<std::chrono::milliseconds>(options_.keep_for).count();
        next_prune_ = now + 60LL * 60 * 1000;
    }
    const double unplanned_age = plan.oldest_unplanned ? static_cast<double>(now - options_.planning.delay_ms - *plan.oldest_unplanned) / 1000.0 : 0.0;
    const double send_age = oldest_send ? static_cast<double>(now - *oldest_send) / 1000.0 : 0.0;
    metrics_.outbox_age_seconds = std::max({0.0, unplanned_age, send_age});

    auto outcomes = std::move(outcomes_);
    outcomes_.clear();
    if (!plan.empty() || !outcomes.empty()) {
        auto shared_plan = std::make_shared<round_plan>(std::move(plan));
        auto shared_outcomes = std::make_shared<std::vector<outcome>>(outcomes);
        const bool stored = commit(
            [shared_plan, shared_outcomes](store::transaction& tx) {
                apply(tx, *shared_plan);
                for (const auto& o : *shared_outcomes) {
                    if (o.delete_subscription) tx.delete_push_subscription(o.delivery.subscription_id);
                    else tx.update_delivery(o.delivery);
                }
            },
            "a notification round");
        if (!stored) {
            outcomes_ = std::move(outcomes);  // tried again with the next round
            return false;
        }
        metrics_.queued += shared_plan->created;
        for (const auto& o : outcomes) in_flight_.erase(o.delivery.id);
        start_sends(now);
        return shared_plan->full;
    }
    start_sends(now);
    return false;
}

void notifier::start_sends(unix_ms now) {
    const std::size_t free = sender_->free_slots();
    if (free == 0) return;
    std::vector<due_delivery> due;
    db_.read([&](store::reader& q) { due = q.due_deliveries(now, static_cast<int>(free + in_flight_.size())); });
    for (auto& d : due) {
        if (sender_->free_slots() == 0) break;
        if (in_flight_.contains(d.delivery.id)) continue;
        const std::int64_t tag = d.delivery.id;
        std::optional<http_post> post;
        std::string why;
        if (d.delivery.channel == "webhook") {
            if (webhook_.configured()) post = webhook_.request_for(d.notification, tag);
            else why = "no webhook is configured any more";
        } else if (!web_push_) {
            why = "Web Push is not configured";
        } else if (!d.subscription) {
            why = "the subscription is gone";
        } else {
            post = web_push_->request_for(d.notification, *d.subscription, tag, why);
        }
        const std::string channel = d.delivery.channel;
        auto delivery = d.delivery;
        in_flight_.emplace(tag, std::move(d));
        if (!post) {
            give_up(std::move(delivery), channel, why);
            continue;
        }
        sender_->start(std::move(*post));
    }
}

void notifier::give_up(notification_delivery d, const std::string& channel, const std::string& why) {
    spdlog::warn("notifier: dropped the {} send of notification {} after {} attempts: {}", channel, d.notification_id,
                 d.attempts, why);
    ++metrics_.dropped[index_of(channel)];
    d.state = "dropped";
    outcomes_.push_back({.delivery = std::move(d)});
}

void notifier::finish(const http_result& r, unix_ms now) {
    auto it = in_flight_.find(r.tag);
    if (it == in_flight_.end()) return;
    notification_delivery d = it->second.delivery;
    const std::string channel = d.channel;
    const std::size_t c = index_of(channel);
    d.attempts += 1;
    if (r.error.empty() && r.status >= 200 && r.status < 300) {
        d.state = "delivered";
        ++metrics_.sent[c];
        outcomes_.push_back({.delivery = std::move(d)});
        return;
    }
    if (channel == "webpush" && (r.status == 404 || r.status == 410)) {
        // The push service says the subscription is gone (RFC 8030 §7.3): forget it and its sends.
        spdlog::info("notifier: push subscription {} is gone ({}); removed", d.subscription_id, r.status);
        ++metrics_.dropped[c];
        outcomes_.push_back({.delivery = std::move(d), .delete_subscription = true});
        return;
    }
    const std::string why = r.error.empty() ? "HTTP " + std::to_string(r.status) : r.error;
    const unix_ms next = now + backoff::delay_ms(d.attempts, random_);
    if (next > d.expires_at) return give_up(std::move(d), channel, why + "; retried for 24 h");
    spdlog::debug("notifier: {} send of {} failed ({}), attempt {}; again in {} ms", channel, d.notification_id, why,
                  d.attempts, next - now);
    ++metrics_.retried[c];
    d.next_attempt_at = next;
    outcomes_.push_back({.delivery = std::move(d)});
}

}  // namespace writeen::notify

#include "notify/notification_planner.hpp"

#include <boost/json.hpp>
#include <map>
#include <unordered_map>

#include "model/ids.hpp"
#include "notify/notification_rules.hpp"

namespace writeen::notify {
namespace json = boost::json;
namespace {

bool about_a_message(const std::string& type) { return type == "message" || type == "reply" || type == "mention"; }

/// Reads of one round, each asked once.
class round_reads {
public:
    explicit round_reads(store::reader& q) : q_(q) {}

    const conversation* conversation_of(const std::string& id) {
        auto [it, fresh] = conversations_.try_emplace(id);
        if (fresh) it->second = q_.find_conversation(id);
        return it->second ? &*it->second : nullptr;
    }
    std::string sender_of(const std::string& message_id) {
        auto [it, fresh] = senders_.try_emplace(message_id);
        if (fresh) {
            auto m = q_.find_message(message_id);
            it->second = m ? m->sender_id : std::string();
        }
        return it->second;
    }
    bool muted(const std::string& user, const std::string& conversation_id, unix_ms now) {
        auto [it, fresh] = muted_.try_emplace(user + '\n' + conversation_id);
        if (fresh) {
            auto s = q_.notification_setting_of(user, conversation_id);
            it->second = s && muted_at(s->muted, s->muted_until, now);
        }
        return it->second;
    }
    const std::vector<push_subscription>& subscriptions_of(const std::string& user) {
        auto [it, fresh] = subscriptions_.try_emplace(user);
        if (fresh) it->second = q_.push_subscriptions_of(user);
        return it->second;
    }
    store::reader& q() { return q_; }

private:
    store::reader& q_;
    std::unordered_map<std::string, std::optional<conversation>> conversations_;
    std::unordered_map<std::string, std::string> senders_;
    std::unordered_map<std::string, bool> muted_;
    std::unordered_map<std::string, std::vector<push_subscription>> subscriptions_;
};

std::string title_of(const conversation& c, const message& m) {
    const std::string sender = m.sender_name.empty() ? m.sender_id : m.sender_name;
    if (c.type == conversation_type::direct || c.title.empty()) return sender;
    return sender + " in " + c.title;
}

std::string text_of(const json::object& o, std::string_view key) {
    if (auto it = o.find(key); it != o.end() && it->value().is_string()) return std::string(it->value().as_string());
    return {};
}

}  // namespace

std::string message_preview(const message& m) {
    if (!m.search_text.empty()) return cut_preview(m.search_text);
    switch (m.type) {
        case message_type::sticker: return "Sticker";
        case message_type::image: return "Image";
        case message_type::file: return "File";
        default: return {};
    }
}

round_plan plan_round(store::reader& q, unix_ms now, const planner_options& options, const activity_source& activity) {
    round_plan plan;
    round_reads reads(q);
    // Notifications of this round by id, and the open 'message' one per user and conversation.
    std::map<std::string, notification> touched;
    std::vector<std::string> order;
    std::unordered_map<std::string, std::string> open_by_key;
    const auto keep = [&](notification n) {
        if (!touched.contains(n.id)) order.push_back(n.id);
        touched[n.id] = std::move(n);
    };

    // (1) The message log after the cursor, up to what has been stored for delay_ms.
    const std::int64_t cursor = q.notify_cursor();
    const auto logged = q.logged_messages_after(cursor, now - options.delay_ms, options.batch);
    if (!logged.empty()) {
        plan.cursor = logged.back().row_id;
        plan.oldest_unplanned = logged.front().m.created_at;
        plan.full = static_cast<int>(logged.size()) >= options.batch;
    }
    for (const auto& [row_id, m] : logged) {
        if (m.type == message_type::system || m.deleted_at) continue;  // steps come from the outbox
        const conversation* c = reads.conversation_of(m.conversation_id);
        if (!c) continue;
        const std::string replied_to = m.reply_to.empty() ? std::string() : reads.sender_of(m.reply_to);
        for (const participant& p : c->participants) {
            if (!p.active() || p.role == role::service) continue;
            const recipient_state state{
                .is_sender = p.user_id == m.sender_id,
                .has_read = p.read_up_to_seq >= m.seq,
                .active_socket = options.idle_ms > 0 && activity(p.user_id) >= now - options.idle_ms,
                .muted = reads.muted(p.user_id, c->id, now),
                .reply_to_recipient = !replied_to.empty() && replied_to == p.user_id,
                .mentions_recipient = mentions(m.search_text, p.user_id),
            };
            const message_notice notice = decide(state);
            if (notice == message_notice::none) continue;
            notification n{.user_id = p.user_id,
                           .conversation_id = c->id,
                           .message_id = m.id,
                           .title = title_of(*c, m),
                           .preview = message_preview(m),
                           .last_seq = m.seq,
                           .created_at = now,
                           .send_at = now};
            if (notice != message_notice::message) {
                n.id = make_object_id();
                n.type = notice == message_notice::reply ? "reply" : "mention";
                keep(std::move(n));
                ++plan.created;
                continue;
            }
            // Coalescing: one open 'message' notification per user and conversation gathers the
            // count and the latest preview; it is sent no sooner than coalesce_ms after the last.
            const std::string key = p.user_id + '\n' + c->id;
            std::optional<notification> open;
            if (auto it = open_by_key.find(key); it != open_by_key.end()) open = touched[it->second];
            else open = q.open_message_notification(p.user_id, c->id);
            if (open) {
                open->count += 1;
                open->message_id = n.message_id;
                open->title = n.title;
                open->preview = n.preview;
                open->last_seq = n.last_seq;
                open_by_key[key] = open->id;
                keep(std::move(*open));
                continue;
            }
            n.id = make_object_id();
            n.type = "message";
            if (auto last = q.last_message_notification_sent(p.user_id, c->id))
                n.send_at = std::max(now, *last + options.coalesce_ms);
            open_by_key[key] = n.id;
            keep(std::move(n));
            ++plan.created;
        }
    }

    // (2) Consultation steps: their outbox rows become notifications as they are.
    const auto outbox = q.due_outbox(now, options.batch);
    if (static_cast<int>(outbox.size()) >= options.batch) plan.full = true;
    for (const auto& row : outbox) {
        json::object payload;
        try {
            auto v = json::parse(row.payload_json);
            if (v.is_object()) payload = std::move(v.as_object());
        } catch (const std::exception&) {
            // A row the sender cannot read still notifies, with what the row itself says.
        }
        notification n{.id = row.id,
                       .user_id = row.user_id,
                       .type = row.kind,
                       .conversation_id = row.conversation_id,
                       .consultation_id = text_of(payload, "consultationId"),
                       .title = text_of(payload, "title"),
                       .preview = cut_preview(text_of(payload, "preview")),
                       .created_at = row.created_at,
                       .send_at = now};
        keep(std::move(n));
        plan.outbox_sent.push_back(row.id);
        ++plan.created;
    }

    // (3) Dispatch what is due: stored earlier, or made due in this round.
    for (auto& n : q.due_notifications(now, options.batch))
        if (!touched.contains(n.id)) keep(std::move(n));
    for (const auto& id : order) {
        notification& n = touched[id];
        if (n.state != "pending" || n.send_at > now) continue;
        if (about_a_message(n.type)) {
            const conversation* c = reads.conversation_of(n.conversation_id);
            const participant* me = nullptr;
            if (c)
                for (const auto& p : c->participants)
                    if (p.user_id == n.user_id) me = &p;
            if (!me || !me->active() || me->read_up_to_seq >= n.last_seq) {
                n.state = "cancelled";  // read meanwhile (or no longer there)
                continue;
            }
        }
        n.state = "sent";
        n.sent_at = now;
        const notification_delivery base{.notification_id = n.id,
                                         .next_attempt_at = now,
                                         .expires_at = now + delivery_lifetime_ms};
        if (options.webhook) {
            auto d = base;
            d.channel = "webhook";
            plan.deliveries.push_back(std::move(d));
        }
        for (const auto& s : reads.subscriptions_of(n.user_id)) {
            auto d = base;
            d.channel = "webpush";
            d.subscription_id = s.id;
            plan.deliveries.push_back(std::move(d));
        }
    }
    for (const auto& id : order) plan.notifications.push_back(std::move(touched[id]));
    return plan;
}

void apply(store::transaction& tx, const round_plan& plan) {
    for (const auto& n : plan.notifications) tx.upsert_notification(n);
    for (const auto& id : plan.outbox_sent) tx.set_outbox_sent(id);
    for (const auto& d : plan.deliveries) {
        // A subscription deleted since the plan was read takes its sends with it.
        if (d.channel == "webpush" && !tx.find_push_subscription(d.subscription_id)) continue;
        tx.insert_delivery(d);
    }
    if (plan.cursor) tx.set_notify_cursor(*plan.cursor);
}

}  // namespace writeen::notify

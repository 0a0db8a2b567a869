#pragma once
// One round of the notifier's planning (docs/NOTIFICATIONS.md): from the message log after the
// cursor, the due consultation outbox rows and the due notifications, what to write in one
// transaction. Reads only; the notifier applies the plan with apply().

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace writeen::notify {

struct planner_options {
    std::int64_t delay_ms = 10'000;
    std::int64_t idle_ms = 120'000;  // 0: no socket counts as active
    std::int64_t coalesce_ms = 60'000;
    bool webhook = false;  // a webhook channel is configured
    int batch = 2000;      // most messages, outbox rows and due notifications per round
};

/// Everything one round writes.
struct round_plan {
    std::optional<std::int64_t> cursor;  // the new notify cursor, when messages were planned
    std::vector<notification> notifications;  // created or changed, in order
    std::vector<std::string> outbox_sent;
    std::vector<notification_delivery> deliveries;
    std::uint64_t created = 0;  // new notifications (the queued metric)
    std::optional<unix_ms> oldest_unplanned;  // created_at of the first due message planned
    bool full = false;  // a batch limit was reached: plan again at once

    bool empty() const { return !cursor && notifications.empty() && outbox_sent.empty(); }
};

/// The latest socket activity of a user (hub::hub::last_activity_of).
using activity_source = std::function<std::int64_t(const std::string& user_id)>;

/// Decides a round from reads; see API.md "Notifications" for the rules.
round_plan plan_round(store::reader& q, unix_ms now, const planner_options& options, const activity_source& activity);

/// Writes a plan inside the writer's transaction (sends of a subscription deleted meanwhile are skipped).
void apply(store::transaction& tx, const round_plan& plan);

/// The preview of a message: its text (or file name), cut to 140 code points.
std::string message_preview(const message& m);

}  // namespace writeen::notify

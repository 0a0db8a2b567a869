#pragma once
// Records of notifications (migration 006, docs/NOTIFICATIONS.md): the in-app list rows, their
// sends per channel, Web Push subscriptions and per-conversation settings. Plain data, like
// model/types.hpp.

#include <cstdint>
#include <optional>
#include <string>

#include "model/types.hpp"

namespace writeen {

/// One notification of one user: an in-app list row and what the channels send.
struct notification {
    std::string id;
    std::string user_id;
    std::string type;  // message | reply | mention | consultation_invite | consultation_rescheduled | consultation_cancelled
    std::string conversation_id;
    std::string message_id;       // the newest message it counts ('' for consultation steps)
    std::string consultation_id;  // '' unless a consultation step
    std::string title;
    std::string preview;  // at most 140 code points
    std::int64_t count = 1;
    std::int64_t last_seq = 0;  // seq of message_id: read up to it meanwhile cancels it
    unix_ms created_at = 0;
    unix_ms send_at = 0;
    std::optional<unix_ms> sent_at;
    std::string state = "pending";  // pending | sent | cancelled
    std::optional<unix_ms> read_at;
};

/// A browser's Web Push subscription.
struct push_subscription {
    std::string id;
    std::string user_id;
    std::string endpoint;
    std::string p256dh;
    std::string auth;
    std::string user_agent;
    unix_ms created_at = 0;
};

/// One send of a notification on one channel.
struct notification_delivery {
    std::int64_t id = 0;  // assigned by the store
    std::string notification_id;
    std::string channel;  // webhook | webpush
    std::string subscription_id;  // webpush only
    std::int64_t attempts = 0;
    unix_ms next_attempt_at = 0;
    unix_ms expires_at = 0;
    std::string state = "pending";  // pending | delivered | dropped
};

/// A due send with what it needs: the notification and, for Web Push, the subscription.
struct due_delivery {
    notification_delivery delivery;
    writeen::notification notification;
    std::optional<push_subscription> subscription;
};

/// A user's notification setting for a conversation.
struct notification_setting {
    std::string user_id;
    std::string conversation_id;
    bool muted = false;
    std::optional<unix_ms> muted_until;  // muted only until then, when set
    unix_ms updated_at = 0;
};

/// A message of the log with its row_id, the notifier's cursor over the log.
struct logged_message {
    std::int64_t row_id = 0;
    message m;
};

}  // namespace writeen

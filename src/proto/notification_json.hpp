#pragma once
// Notifications on the wire (API.md "Notifications"): the in-app list item, the webhook body,
// the Web Push payload, a subscription and a conversation's setting.

#include <boost/json/object.hpp>
#include <string>

#include "model/notification_types.hpp"

namespace writeen::proto {

/// `{id, type, conversationId, messageId, consultationId, title, preview, count, createdAt, readAt}`.
boost::json::object notification_json(const notification& n);
/// The webhook body: `{id, type, userId, conversationId, messageId?, consultationId?, title,
/// preview, count, createdAt}`.
std::string webhook_body(const notification& n);
/// The Web Push payload (well under 4 KiB): `{id, type, conversationId, title, body, url}`.
std::string push_payload(const notification& n);
/// `{id, endpoint, keys{p256dh, auth}, userAgent, createdAt}` (the keys are the browser's public ones).
boost::json::object subscription_json(const push_subscription& s);
/// `{muted, mutedUntil}`.
boost::json::object notification_setting_json(const notification_setting& s);

}  // namespace writeen::proto

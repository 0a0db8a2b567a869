#include "proto/notification_json.hpp"

#include <boost/json/serialize.hpp>

#include "model/clock.hpp"

namespace writeen::proto {
namespace json = boost::json;
namespace {

json::value optional_text(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

}  // namespace

json::object notification_json(const notification& n) {
    return json::object{{"id", n.id},
                        {"type", n.type},
                        {"conversationId", n.conversation_id},
                        {"messageId", optional_text(n.message_id)},
                        {"consultationId", optional_text(n.consultation_id)},
                        {"title", n.title},
                        {"preview", n.preview},
                        {"count", n.count},
                        {"createdAt", format_time(n.created_at)},
                        {"readAt", n.read_at ? json::value(format_time(*n.read_at)) : json::value(nullptr)}};
}

std::string webhook_body(const notification& n) {
    json::object o{{"id", n.id}, {"type", n.type}, {"userId", n.user_id}, {"conversationId", n.conversation_id}};
    if (!n.message_id.empty()) o["messageId"] = n.message_id;
    if (!n.consultation_id.empty()) o["consultationId"] = n.consultation_id;
    o["title"] = n.title;
    o["preview"] = n.preview;
    o["count"] = n.count;
    o["createdAt"] = format_time(n.created_at);
    return json::serialize(o);
}

std::string push_payload(const notification& n) {
    // The preview is at most 140 code points (560 bytes) and the title is a name and a
    // conversation title: the whole stays far below the 4 KiB a push service takes.
    json::object o{{"id", n.id},
                   {"type", n.type},
                   {"conversationId", n.conversation_id},
                   {"title", n.title},
                   {"body", n.preview},
                   {"url", "/?conversation=" + n.conversation_id}};
    if (!n.message_id.empty()) o["messageId"] = n.message_id;
    return json::serialize(o);
}

json::object subscription_json(const push_subscription& s) {
    return json::object{{"id", s.id},
                        {"endpoint", s.endpoint},
                        {"keys", json::object{{"p256dh", s.p256dh}, {"auth", s.auth}}},
                        {"userAgent", s.user_agent},
                        {"createdAt", format_time(s.created_at)}};
}

json::object notification_setting_json(const notification_setting& s) {
    return json::object{{"muted", s.muted},
                        {"mutedUntil", s.muted_until ? json::value(format_time(*s.muted_until)) : json::value(nullptr)}};
}

}  // namespace writeen::proto

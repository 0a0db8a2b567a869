#include "proto/session_json.hpp"

#include <cmath>

#include <boost/json/parse.hpp>

#include "auth/roles.hpp"
#include "model/clock.hpp"
#include "proto/json.hpp"

namespace writeen::proto {
namespace {

json::value time_or_null(const std::optional<unix_ms>& t) {
    return t ? json::value(format_time(*t)) : json::value(nullptr);
}
json::value number_or_null(const std::optional<double>& d) { return d ? json::value(*d) : json::value(nullptr); }
json::value string_or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

json::array strings(const std::vector<std::string>& v) {
    json::array out;
    for (const auto& s : v) out.push_back(json::value(s));
    return out;
}

/// The stored document, or an empty one for an open session (and for a damaged column, which
/// must not fail every listing of the conversation's sessions).
json::object stored_document(const std::string& text) {
    if (text.empty()) return {};
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    return !ec && v.is_object() ? v.get_object() : json::object{};
}

}  // namespace

json::object summary_document(const session_summary& s, const std::optional<std::string>& session_notes) {
    json::array participants;
    for (const auto& p : s.participants)
        participants.push_back(json::object{{"userId", p.user_id},
                                            {"joinedAt", time_or_null(p.joined_at)},
                                            {"leftAt", time_or_null(p.left_at)},
                                            {"messageCount", p.message_count},
                                            {"filesShared", p.files_shared}});
    return json::object{
        {"participants", std::move(participants)},
        {"summary", json::object{{"totalMessages", s.total_messages},
                                 {"filesShared", s.files_shared},
                                 {"keyTopics", strings(s.key_topics)},
                                 {"actionItems", strings(s.action_items)},
                                 {"sessionNotes", session_notes ? json::value(*session_notes) : json::value(nullptr)}}},
        {"analytics", json::object{{"responseTime", number_or_null(s.response_time)},
                                   {"engagement", number_or_null(s.engagement)},
                                   {"satisfaction", nullptr}}}};
}

json::object session_json(const chat_session& s) {
    json::object doc = stored_document(s.summary_json);
    const auto part = [&doc](std::string_view key) -> json::object {
        auto it = doc.find(key);
        return it != doc.end() && it->value().is_object() ? it->value().get_object() : json::object{};
    };
    json::object summary = part("summary");
    if (summary.empty())
        summary = json::object{{"totalMessages", 0}, {"filesShared", 0}, {"keyTopics", json::array{}},
                               {"actionItems", json::array{}}, {"sessionNotes", nullptr}};
    json::object analytics = part("analytics");
    if (analytics.empty()) analytics = json::object{{"responseTime", nullptr}, {"engagement", nullptr}};
    analytics["satisfaction"] =
        s.rating_count > 0 ? json::value(std::round(s.rating_sum / static_cast<double>(s.rating_count) * 100) / 100)
                           : json::value(nullptr);
    json::value participants = json::array{};
    if (auto it = doc.find("participants"); it != doc.end() && it->value().is_array()) participants = it->value();
    json::value duration = nullptr;
    if (s.end_time) duration = static_cast<std::int64_t>(std::llround(static_cast<double>(*s.end_time - s.start_time) / 60000.0));
    return json::object{{"id", s.id},
                        {"consultationId", s.consultation_id},
                        {"sessionType", s.session_type},
                        {"startTime", format_time(s.start_time)},
                        {"endTime", time_or_null(s.end_time)},
                        {"duration", std::move(duration)},
                        {"participants", std::move(participants)},
                        {"summary", std::move(summary)},
                        {"analytics", std::move(analytics)}};
}

json::object transcript_message_json(const message& m) {
    boost::system::error_code ec;
    json::value content = json::parse(m.content_json, ec);
    if (ec || !content.is_object()) content = json::object{};
    return json::object{{"id", m.id},
                        {"seq", m.seq},
                        {"senderId", m.sender_id},
                        {"type", to_string(m.type)},
                        {"content", std::move(content)},
                        {"replyTo", string_or_null(m.reply_to)},
                        {"edited", m.edited},
                        {"consultationId", string_or_null(m.consultation_id)},
                        {"sessionId", string_or_null(m.session_id)},
                        {"createdAt", format_time(m.created_at)},
                        {"updatedAt", format_time(m.updated_at)},
                        {"deletedAt", time_or_null(m.deleted_at)}};
}

json::object transcript_participant_json(const participant& p) {
    return json::object{{"userId", p.user_id},
                        {"name", p.name.empty() ? p.user_id : p.name},
                        {"role", auth::to_string(p.role)},
                        {"joinedAt", format_time(p.joined_at)},
                        {"leftAt", time_or_null(p.left_at)}};
}

}  // namespace writeen::proto

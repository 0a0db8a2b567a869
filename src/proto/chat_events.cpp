#include "proto/chat_events.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "model/clock.hpp"
#include "proto/json.hpp"

namespace writeen::proto {
namespace {

json::value optional_int(const std::optional<std::int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::array receipts_array(const std::vector<receipt>& receipts, std::string_view time_key) {
    json::array out;
    for (const auto& r : receipts) out.push_back(json::object{{"userId", r.user_id}, {time_key, format_time(r.at)}});
    return out;
}

}  // namespace

frame_ptr presence_event(const std::string& user_id, std::string_view status, unix_ms last_seen) {
    return frame("user_presence",
                 json::object{{"userId", user_id}, {"status", status}, {"lastSeen", format_time(last_seen)}});
}

frame_ptr presence_digest_event(const std::string& conversation_id, std::span<const presence_change> changes) {
    json::array users;
    users.reserve(changes.size());
    for (const auto& c : changes)
        users.push_back(json::object{{"userId", c.user_id}, {"status", c.status}, {"lastSeen", format_time(c.last_seen)}});
    return frame("presence_digest", json::object{{"conversationId", conversation_id}, {"users", std::move(users)}});
}

frame_ptr typing_event(const std::string& conversation_id, const std::string& user_id, const std::string& user_name,
                       bool is_typing) {
    return frame("user_typing", json::object{{"conversationId", conversation_id},
                                             {"userId", user_id},
                                             {"userName", user_name},
                                             {"isTyping", is_typing}});
}

frame_ptr conversation_updated_event(const conversation_view& view) {
    return frame("conversation_updated",
                 json::object{{"conversation", conversation_json(view)}, {"changeSeq", view.conv.last_change_seq}});
}

frame_ptr personal_conversation_updated_event(const conversation_view& view) {
    return frame("conversation_updated", json::object{{"conversation", conversation_json(view)},
                                                      {"changeSeq", view.conv.last_change_seq},
                                                      {"personal", true}});
}

frame_ptr message_received_event(const message_view& view) {
    return frame("message_received", json::object{{"message", message_json(view, true)}});
}

frame_ptr message_updated_event(const message_view& view, bool include_edit_history) {
    return frame("message_updated", json::object{{"message", message_json(view, include_edit_history)},
                                                 {"changeSeq", view.msg.change_seq}});
}

frame_ptr message_status_event(const message_view& view, std::int64_t change_seq) {
    return frame("message_status", json::object{
                                       {"conversationId", view.msg.conversation_id},
                                       {"messageId", view.msg.id},
                                       {"seq", view.msg.seq},
                                       {"status", view.status},
                                       {"readBy", receipts_array(view.read_by, "readAt")},
                                       {"deliveredTo", receipts_array(view.delivered_to, "deliveredAt")},
                                       {"changeSeq", change_seq},
                                   });
}

json::object file_info_json(const file_record& f, bool thumbnail) {
    return json::object{
        {"fileId", f.id},
        {"fileName", f.file_name},
        {"fileSize", f.size},
        {"fileType", f.mime},
        {"fileHash", f.sha256},
        {"downloadUrl", "/api/files/" + f.id + "/download"},
        {"thumbnailUrl", thumbnail ? json::value("/api/files/" + f.id + "/thumbnail") : json::value(nullptr)},
        {"width", optional_int(f.width)},
        {"height", optional_int(f.height)},
        {"scanStatus", f.scan_status},
    };
}

bool refresh_file_info(message& m, const file_record& f) {
    if (m.deleted_at) return false;
    boost::system::error_code ec;
    auto content = json::parse(m.content_json, ec);
    if (ec || !content.is_object()) return false;
    auto* info = content.get_object().if_contains("fileInfo");
    if (!info || !info->is_object()) return false;
    auto& o = info->get_object();
    o["scanStatus"] = f.scan_status;
    o["width"] = optional_int(f.width);
    o["height"] = optional_int(f.height);
    m.content_json = json::serialize(content);
    return true;
}

}  // namespace writeen::proto

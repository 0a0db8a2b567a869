#include "proto/json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "auth/roles.hpp"
#include "model/clock.hpp"

namespace writeen::proto {
namespace {

json::value time_or_null(const std::optional<unix_ms>& t) {
    return t ? json::value(format_time(*t)) : json::value(nullptr);
}

json::value string_or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

json::value content_value(const std::string& content_json) {
    boost::system::error_code ec;
    json::value v = json::parse(content_json, ec);
    if (ec || !v.is_object()) return json::object{};
    return v;
}

json::array receipts_json(const std::vector<receipt>& receipts, std::string_view time_key) {
    json::array out;
    out.reserve(receipts.size());
    for (const auto& r : receipts) out.push_back(json::object{{"userId", r.user_id}, {time_key, format_time(r.at)}});
    return out;
}

const json::value* field(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) return nullptr;
    return &it->value();
}

[[noreturn]] void wrong_type(std::string_view key, std::string_view expected) {
    throw api_error(error_code::bad_request, std::string(key) + " must be " + std::string(expected));
}

}  // namespace

std::string_view to_string(conversation_type t) {
    switch (t) {
        case conversation_type::direct: return "direct";
        case conversation_type::consultation: return "consultation";
        case conversation_type::group: return "group";
    }
    return "direct";
}

std::string_view to_string(message_type t) {
    switch (t) {
        case message_type::text: return "text";
        case message_type::file: return "file";
        case message_type::image: return "image";
        case message_type::system: return "system";
        case message_type::sticker: return "sticker";
    }
    return "text";
}

std::optional<conversation_type> parse_conversation_type(std::string_view s) {
    for (auto t : {conversation_type::direct, conversation_type::consultation, conversation_type::group})
        if (to_string(t) == s) return t;
    return std::nullopt;
}

std::optional<message_type> parse_message_type(std::string_view s) {
    for (auto t : {message_type::text, message_type::file, message_type::image, message_type::system,
                   message_type::sticker})
        if (to_string(t) == s) return t;
    return std::nullopt;
}

json::object message_json(const message_view& view, bool include_edit_history) {
    const message& m = view.msg;
    json::object o;
    o.reserve(24);
    o["id"] = m.id;
    o["conversationId"] = m.conversation_id;
    o["seq"] = m.seq;
    o["senderId"] = m.sender_id;
    o["sender"] = json::object{{"name", m.sender_name.empty() ? m.sender_id : m.sender_name},
                               {"avatar", string_or_null(m.sender_avatar)}};
    o["type"] = to_string(m.type);
    o["content"] = m.deleted_at ? json::value(json::object{}) : content_value(m.content_json);
    o["status"] = view.status;
    o["readBy"] = receipts_json(view.read_by, "readAt");
    o["deliveredTo"] = receipts_json(view.delivered_to, "deliveredAt");
    o["replyTo"] = string_or_null(m.reply_to);
    o["replyCount"] = m.reply_count;
    json::array reactions;
    for (const auto& r : m.reactions)
        reactions.push_back(json::object{{"userId", r.user_id}, {"emoji", r.emoji}, {"addedAt", format_time(r.added_at)}});
    o["reactions"] = std::move(reactions);
    o["edited"] = m.edited;
    if (include_edit_history) {
        json::array history;
        for (const auto& e : m.edit_history)
            history.push_back(json::object{{"editedAt", format_time(e.edited_at)},
                                           {"previousContent", e.previous_text},
                                           {"editedBy", e.edited_by}});
        o["editHistory"] = std::move(history);
    }
    o["clientMessageId"] = string_or_null(m.client_message_id);
    o["consultationId"] = string_or_null(m.consultation_id);
    o["sessionId"] = string_or_null(m.session_id);
    o["changeSeq"] = m.change_seq;
    o["createdAt"] = format_time(m.created_at);
    o["updatedAt"] = format_time(m.updated_at);
    o["deletedAt"] = time_or_null(m.deleted_at);
    return o;
}

json::object settings_json(const conversation_settings& s) {
    json::array types;
    for (const auto& t : s.allowed_file_types) types.push_back(json::value(t));
    return json::object{{"allowFileUpload", s.allow_file_upload},
                        {"maxFileSize", s.max_file_size},
                        {"allowedFileTypes", std::move(types)},
                        {"autoArchive", s.auto_archive},
                        {"retention", s.retention_days}};
}

json::object user_json(const user_profile& u) {
    return json::object{{"id", u.id},
                        {"name", u.name.empty() ? u.id : u.name},
                        {"avatar", string_or_null(u.avatar)},
                        {"role", auth::to_string(u.role)}};
}

json::object conversation_json(const conversation_view& view) {
    const conversation& c = view.conv;
    json::array participants;
    for (const auto& p : c.participants) {
        json::array permissions;
        for (const auto& perm : p.permissions) permissions.push_back(json::value(perm));
        participants.push_back(json::object{
            {"userId", p.user_id},
            {"role", auth::to_string(p.role)},
            {"joinedAt", format_time(p.joined_at)},
            {"leftAt", time_or_null(p.left_at)},
            {"permissions", std::move(permissions)},
            {"user", json::object{{"name", p.name.empty() ? p.user_id : p.name}, {"avatar", string_or_null(p.avatar)}}},
        });
    }
    json::value last = nullptr;
    if (view.last_message) {
        const message& m = *view.last_message;
        last = json::object{{"id", m.id},
                            {"content", m.deleted_at ? json::value(json::object{}) : content_value(m.content_json)},
                            {"senderId", m.sender_id},
                            {"sentAt", format_time(m.created_at)},
                            {"type", to_string(m.type)},
                            {"seq", m.seq},
                            {"deletedAt", time_or_null(m.deleted_at)}};
    }
    return json::object{{"id", c.id},
                        {"type", to_string(c.type)},
                        {"title", string_or_null(c.title)},
                        {"consultationId", string_or_null(c.consultation_id)},
                        {"participants", std::move(participants)},
                        {"lastMessage", std::move(last)},
                        {"unreadCount", view.unread_count},
                        {"isOnline", view.is_online},
                        {"isArchivedForMe", view.archived_for_me},
                        {"isArchived", c.archived},
                        {"archivedAt", time_or_null(c.archived_at)},
                        {"settings", settings_json(c.settings)},
                        {"lastSeq", c.last_seq},
                        {"lastChangeSeq", c.last_change_seq},
                        {"createdBy", string_or_null(c.created_by)},
                        {"createdAt", format_time(c.created_at)},
                        {"updatedAt", format_time(c.updated_at)}};
}

std::string success_body(json::value data, std::string_view message) {
    json::object o{{"success", true}};
    if (!message.empty()) o["message"] = message;
    o["data"] = std::move(data);
    return json::serialize(o);
}

std::string error_body(error_code code, std::string_view message) {
    return json::serialize(json::object{
        {"success", false}, {"error", json::object{{"code", to_string(code)}, {"message", message}}}});
}

std::string error_body(error_code code, std::string_view message, json::value data) {
    return json::serialize(json::object{{"success", false},
                                        {"error", json::object{{"code", to_string(code)}, {"message", message}}},
                                        {"data", std::move(data)}});
}

std::shared_ptr<const std::string> frame(std::string_view event, json::value data,
                                         const std::optional<json::value>& request_id) {
    json::object o{{"event", event}, {"data", std::move(data)}};
    if (request_id) o["requestId"] = *request_id;
    return std::make_shared<const std::string>(json::serialize(o));
}

std::shared_ptr<const std::string> message_frame(std::string_view event, const std::string& message_json,
                                                 const json::object& extra,
                                                 const std::optional<json::value>& request_id) {
    // Every piece is produced by the JSON serialiser; only the already valid message text is
    // spliced in, so the frame stays well-formed without a second serialisation of the message.
    std::string out;
    out.reserve(message_json.size() + 96);
    out += R"({"event":)";
    out += json::serialize(json::string(event));
    out += R"(,"data":{)";
    for (const auto& field : extra) {
        out += json::serialize(json::string(field.key()));
        out += ':';
        out += json::serialize(field.value());
        out += ',';
    }
    out += R"("message":)";
    out += message_json;
    out += '}';
    if (request_id) {
        out += R"(,"requestId":)";
        out += json::serialize(*request_id);
    }
    out += '}';
    return std::make_shared<const std::string>(std::move(out));
}

json::value parse(std::string_view text) {
    boost::system::error_code ec;
    json::parse_options options;
    options.max_depth = 32;
    json::value v = json::parse(text, ec, {}, options);
    if (ec) throw api_error(error_code::bad_request, "malformed JSON: " + ec.message());
    return v;
}

const json::object& as_object(const json::value& v, std::string_view what) {
    if (!v.is_object()) wrong_type(what, "an object");
    return v.get_object();
}

std::optional<std::string> optional_string(const json::object& o, std::string_view key) {
    const json::value* v = field(o, key);
    if (!v) return std::nullopt;
    if (!v->is_string()) wrong_type(key, "a string");
    return std::string(v->get_string());
}

std::string required_string(const json::object& o, std::string_view key) {
    auto s = optional_string(o, key);
    if (!s) throw api_error(error_code::bad_request, std::string(key) + " is required");
    return *s;
}

std::optional<std::int64_t> optional_int(const json::object& o, std::string_view key) {
    const json::value* v = field(o, key);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v->get_uint64());
    if (v->is_double()) {
        const double d = v->get_double();
        if (d > -9.0e18 && d < 9.0e18 && d == static_cast<double>(static_cast<std::int64_t>(d))) return static_cast<std::int64_t>(d);
    }
    wrong_type(key, "an integer");
}

std::optional<bool> optional_bool(const json::object& o, std::string_view key) {
    const json::value* v = field(o, key);
    if (!v) return std::nullopt;
    if (!v->is_bool()) wrong_type(key, "a boolean");
    return v->get_bool();
}

}  // namespace writeen::proto

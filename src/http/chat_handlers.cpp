// REST handlers for conversations and messages: validate, call the chat service, shape JSON.
#include <boost/json.hpp>

#include "auth/roles.hpp"
#include "chat/text.hpp"
#include "http/async.hpp"
#include "http/request_parsing.hpp"
#include "http/rest_api.hpp"
#include "model/clock.hpp"
#include "proto/json.hpp"

namespace writeen::http {
namespace json = boost::json;

namespace {

response ok(const raw_request& req, json::value data, bhttp::status status = bhttp::status::ok) {
    response res{status, req.version()};
    res.set(bhttp::field::content_type, "application/json; charset=utf-8");
    res.set(bhttp::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    res.body() = proto::success_body(std::move(data));
    res.prepare_payload();
    return res;
}

/// The chat domain decided, for the viewer it made the view for, whether the history shows.
json::object message_for(const message_view& v) { return proto::message_json(v, v.edit_history_visible); }

json::array messages_for(const std::vector<message_view>& views) {
    json::array out;
    out.reserve(views.size());
    for (const auto& v : views) out.push_back(message_for(v));
    return out;
}

json::object highlight_json(const search_hit& hit) {
    json::array matches;
    for (const auto& [start, length] : hit.matches) matches.push_back(json::array{start, length});
    return json::object{{"fragment", hit.fragment}, {"matches", std::move(matches)}};
}

/// Search results: each message with its highlight, best match first.
json::object search_json(const chat::search_page& result, std::int64_t page,
                         std::int64_t limit) {
    json::array items;
    for (const auto& [view, hit] : result.hits) {
        auto m = message_for(view);
        m["highlight"] = highlight_json(hit);
        items.push_back(std::move(m));
    }
    return json::object{{"messages", std::move(items)},
                        {"pagination", json::object{{"page", page}, {"limit", limit}, {"hasMore", result.has_more}}}};
}

std::vector<std::string> string_array(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_array()) throw api_error(error_code::bad_request, std::string(key) + " must be an array");
    std::vector<std::string> out;
    for (const auto& v : it->value().get_array()) {
        if (!v.is_string()) throw api_error(error_code::bad_request, std::string(key) + " must contain strings");
        out.emplace_back(v.get_string());
    }
    return out;
}

const std::string& param(const request& r, std::size_t i) { return r.params.at(i); }

}  // namespace

// --- conversations -------------------------------------------------------------------------------

net::awaitable<response> rest_api::list_conversations(request& r) {
    const auto page = query_int(r, "page", 1, 1, 1'000'000);
    const auto limit = query_int(r, "limit", 20, 1, 100);
    store::conversation_filter filter;
    filter.archived = query_bool(r, "archived", false);
    if (auto type = r.query_value("type")) {
        filter.type = proto::parse_conversation_type(*type);
        if (!filter.type) throw api_error(error_code::bad_request, "type must be direct, consultation or group");
    }
    auto list = chat_.conversations().list_conversations(r.who, filter, static_cast<int>(page), static_cast<int>(limit));
    json::array items;
    for (const auto& v : list.items) items.push_back(proto::conversation_json(v));
    co_return ok(r.raw, json::object{{"conversations", std::move(items)},
                                     {"pagination", json::object{{"page", page},
                                                                 {"limit", limit},
                                                                 {"total", list.total},
                                                                 {"totalPages", (list.total + limit - 1) / limit}}}});
}

net::awaitable<response> rest_api::create_conversation(request& r) {
    const auto body = body_object(r);
    chat::create_conversation_request req;
    const auto type = proto::optional_string(body, "type");
    if (!type) throw api_error(error_code::bad_request, "type is required");
    auto parsed = proto::parse_conversation_type(*type);
    if (!parsed) throw api_error(error_code::bad_request, "type must be direct, consultation or group");
    req.type = *parsed;
    req.participant_ids = string_array(body, "participantIds");
    req.title = proto::optional_string(body, "title").value_or("");
    req.consultation_id = proto::optional_string(body, "consultationId").value_or("");
    auto [view, created] = co_await await_reply<std::pair<conversation_view, bool>>(
        [&](auto done) { chat_.conversations().create_conversation(r.who, std::move(req), std::move(done)); });
    co_return ok(r.raw, json::object{{"conversation", proto::conversation_json(view)}},
                 created ? bhttp::status::created : bhttp::status::ok);
}

net::awaitable<response> rest_api::get_conversation(request& r) {
    auto view = chat_.conversations().get_conversation(r.who, param(r, 0));
    co_return ok(r.raw, json::object{{"conversation", proto::conversation_json(view)}});
}

net::awaitable<response> rest_api::update_conversation(request& r) {
    const auto body = body_object(r);
    chat::conversation_patch patch;
    patch.title = proto::optional_string(body, "title");
    patch.archived = proto::optional_bool(body, "archived");
    if (auto it = body.find("settings"); it != body.end() && !it->value().is_null()) {
        const auto& s = proto::as_object(it->value(), "settings");
        patch.allow_file_upload = proto::optional_bool(s, "allowFileUpload");
        patch.max_file_size = proto::optional_int(s, "maxFileSize");
        patch.auto_archive = proto::optional_bool(s, "autoArchive");
        patch.retention_days = proto::optional_int(s, "retention");
        if (auto t = s.find("allowedFileTypes"); t != s.end() && !t->value().is_null())
            patch.allowed_file_types = string_array(s, "allowedFileTypes");
    }
    auto view = co_await await_reply<conversation_view>(
        [&](auto done) { chat_.conversations().update_conversation(r.who, param(r, 0), std::move(patch), std::move(done)); });
    co_return ok(r.raw, json::object{{"conversation", proto::conversation_json(view)}});
}

net::awaitable<response> rest_api::add_participant(request& r) {
    const auto body = body_object(r);
    const std::string user_id = proto::required_string(body, "userId");
    std::optional<role> as_role;
    if (auto text = proto::optional_string(body, "role")) {
        as_role = auth::parse_role(*text);
        if (!as_role || *as_role == role::service)
            throw api_error(error_code::bad_request, "role must be student, tutor or admin");
    }
    std::optional<std::vector<std::string>> permissions;
    if (auto it = body.find("permissions"); it != body.end() && !it->value().is_null())
        permissions = string_array(body, "permissions");
    auto view = co_await await_reply<conversation_view>([&](auto done) {
        chat_.conversations().add_participant(r.who, param(r, 0), user_id, as_role, std::move(permissions), std::move(done));
    });
    co_return ok(r.raw, json::object{{"conversation", proto::conversation_json(view)}});
}

net::awaitable<response> rest_api::remove_participant(request& r) {
    auto view = co_await await_reply<conversation_view>(
        [&](auto done) { chat_.conversations().remove_participant(r.who, param(r, 0), param(r, 1), std::move(done)); });
    co_return ok(r.raw, json::object{{"conversation", proto::conversation_json(view)}});
}

// --- messages ------------------------------------------------------------------------------------

net::awaitable<response> rest_api::list_messages(request& r) {
    const auto page = query_int(r, "page", 1, 1, 1'000'000);
    const auto limit = query_int(r, "limit", 50, 1, 200);
    if (auto q = r.query_value("search")) {
        if (chat::trim(*q).empty()) throw api_error(error_code::bad_request, "search must not be empty");
        const std::string conversation_id = param(r, 0);
        auto result = chat_.messages().search(r.who, conversation_id, std::string(*q), static_cast<int>((page - 1) * limit),
                                   static_cast<int>(limit));
        co_return ok(r.raw, search_json(result, page, limit));
    }
    store::message_query query;
    query.limit = static_cast<int>(limit);
    query.offset = static_cast<int>((page - 1) * limit);
    if (auto before = r.query_value("before")) {
        if (auto seq = parse_int(*before)) {
            if (*seq < 0) throw api_error(error_code::bad_request, "before must be a seq or an RFC 3339 time");
            query.before_seq = *seq;
        } else if (auto t = parse_time(*before)) {
            query.before_time = *t;
        } else {
            throw api_error(error_code::bad_request, "before must be a seq or an RFC 3339 time");
        }
    }
    if (r.query_value("afterSeq")) query.after_seq = query_int(r, "afterSeq", 0, 0, INT64_MAX);
    if (auto session = r.query_value("sessionId")) {
        if (session->empty() || session->size() > 128) throw api_error(error_code::bad_request, "sessionId is malformed");
        query.session_id = std::string(*session);
    }
    auto result = chat_.messages().list_messages(r.who, param(r, 0), query);
    co_return ok(r.raw, json::object{{"messages", messages_for(result.messages)},
                                     {"pagination", json::object{{"page", page}, {"limit", limit}, {"hasMore", result.has_more}}}});
}

net::awaitable<response> rest_api::send_message(request& r) {
    const auto body = body_object(r);
    chat::send_request req;
    req.conversation_id = param(r, 0);
    const std::string type = proto::optional_string(body, "type").value_or("text");
    auto parsed = proto::parse_message_type(type);
    if (!parsed) throw api_error(error_code::bad_request, "type must be text or sticker");
    req.type = *parsed;
    auto content = body.find("content");
    if (content == body.end() || content->value().is_null()) throw api_error(error_code::bad_request, "content is required");
    chat_.messages().validate_content(req, content->value());
    req.reply_to = proto::optional_string(body, "replyTo").value_or("");
    req.client_message_id = proto::optional_string(body, "clientMessageId").value_or("");
    auto result = co_await await_reply<chat::send_result>(
        [&](auto done) { chat_.messages().send_message(r.who, std::move(req), 0, std::move(done)); });
    if (!result.duplicate) metrics_.messages_in.fetch_add(1, std::memory_order_relaxed);
    co_return ok(r.raw, json::object{{"message", message_for(result.view)}},
                 result.duplicate ? bhttp::status::ok : bhttp::status::created);
}

net::awaitable<response> rest_api::mark_read(request& r) {
    const auto body = body_object(r);
    auto up_to = proto::optional_int(body, "upToSeq");
    auto message_id = proto::optional_string(body, "messageId");
    const std::string conversation_id = param(r, 0);
    auto cursor = co_await await_reply<std::int64_t>(
        [&](auto done) { chat_.cursors().mark(r.who, conversation_id, up_to, message_id, true, std::move(done)); });
    co_return ok(r.raw, json::object{{"conversationId", conversation_id}, {"readUpToSeq", cursor}});
}

net::awaitable<response> rest_api::edit_message(request& r) {
    const auto body = body_object(r);
    auto content = body.find("content");
    if (content == body.end()) throw api_error(error_code::bad_request, "content is required");
    const auto& c = proto::as_object(content->value(), "content");
    std::string text = proto::required_string(c, "text");
    auto view = co_await await_reply<message_view>(
        [&](auto done) { chat_.messages().edit_message(r.who, param(r, 0), std::move(text), std::move(done)); });
    co_return ok(r.raw, json::object{{"message", message_for(view)}});
}

net::awaitable<response> rest_api::delete_message(request& r) {
    auto view = co_await await_reply<message_view>(
        [&](auto done) { chat_.messages().delete_message(r.who, param(r, 0), std::move(done)); });
    co_return ok(r.raw, json::object{{"message", message_for(view)}});
}

net::awaitable<response> rest_api::add_reaction(request& r) {
    const auto body = body_object(r);
    std::string emoji = proto::required_string(body, "emoji");
    auto view = co_await await_reply<message_view>(
        [&](auto done) { chat_.messages().add_reaction(r.who, param(r, 0), std::move(emoji), std::move(done)); });
    co_return ok(r.raw, json::object{{"message", message_for(view)}});
}

net::awaitable<response> rest_api::remove_reaction(request& r) {
    auto view = co_await await_reply<message_view>(
        [&](auto done) { chat_.messages().remove_reaction(r.who, param(r, 0), param(r, 1), std::move(done)); });
    co_return ok(r.raw, json::object{{"message", message_for(view)}});
}

net::awaitable<response> rest_api::thread(request& r) {
    const auto page = query_int(r, "page", 1, 1, 1'000'000);
    const auto limit = query_int(r, "limit", 50, 1, 200);
    auto t = chat_.messages().thread(r.who, param(r, 0), static_cast<int>((page - 1) * limit), static_cast<int>(limit));
    co_return ok(r.raw, json::object{{"root", message_for(t.root)},
                                     {"replies", messages_for(t.replies)},
                                     {"pagination", json::object{{"page", page}, {"limit", limit}, {"hasMore", t.has_more}}}});
}

net::awaitable<response> rest_api::search(request& r) {
    auto q = r.query_value("q");
    if (!q || chat::trim(*q).empty()) throw api_error(error_code::bad_request, "q is required");
    if (q->size() > 256) throw api_error(error_code::bad_request, "q is longer than 256 bytes");
    const auto page = query_int(r, "page", 1, 1, 1'000'000);
    const auto limit = query_int(r, "limit", 20, 1, 100);
    std::optional<std::string> conversation_id;
    if (auto c = r.query_value("conversationId")) conversation_id = std::string(*c);
    auto result = chat_.messages().search(r.who, conversation_id, std::string(*q), static_cast<int>((page - 1) * limit),
                               static_cast<int>(limit));
    co_return ok(r.raw, search_json(result, page, limit));
}

}  // namespace writeen::http

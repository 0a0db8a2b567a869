#include "http/messages_resource.hpp"

#include <boost/json.hpp>

#include "chat/text.hpp"
#include "http/async.hpp"
#include "http/request_parsing.hpp"
#include "http/responses.hpp"
#include "http/search_resource.hpp"
#include "model/clock.hpp"
#include "proto/events.hpp"
#include "proto/json.hpp"

namespace writeen::http {
namespace json = boost::json;

namespace {

/// Every answer about one message: `data.message` with its full current state.
response message_response(const request& r, const message_view& view, bhttp::status status = bhttp::status::ok) {
    return ok_response(r.raw, json::object{{"message", proto::message_json_for(view)}}, status);
}

}  // namespace

void messages_resource::add_routes(router& routes) {
    using bhttp::verb;
    const auto bind = [this](net::awaitable<response> (messages_resource::*fn)(request&)) {
        return [this, fn](request& r) { return (this->*fn)(r); };
    };
    routes.add(verb::get, "/api/conversations/:id/messages", bind(&messages_resource::list));
    routes.add(verb::post, "/api/conversations/:id/messages", bind(&messages_resource::send));
    routes.add(verb::post, "/api/conversations/:id/read", bind(&messages_resource::mark_read));
    routes.add(verb::patch, "/api/messages/:id", bind(&messages_resource::edit));
    routes.add(verb::delete_, "/api/messages/:id", bind(&messages_resource::remove));
    routes.add(verb::post, "/api/messages/:id/reactions", bind(&messages_resource::add_reaction));
    routes.add(verb::delete_, "/api/messages/:id/reactions/:emoji", bind(&messages_resource::remove_reaction));
    routes.add(verb::get, "/api/messages/:id/thread", bind(&messages_resource::thread));
}

net::awaitable<response> messages_resource::list(request& r) {
    const auto page = query_int(r, "page", 1, 1, 1'000'000);
    const auto limit = query_int(r, "limit", 50, 1, 200);
    if (auto q = r.query_value("search")) {
        if (chat::trim(*q).empty()) throw api_error(error_code::bad_request, "search must not be empty");
        const std::string conversation_id = r.params.at(0);
        auto result = chat_.messages().search(r.who, conversation_id, std::string(*q), static_cast<int>((page - 1) * limit),
                                   static_cast<int>(limit));
        co_return ok_response(r.raw, search_resource::results_json(result, page, limit));
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
    auto result = chat_.messages().list_messages(r.who, r.params.at(0), query);
    co_return ok_response(
        r.raw, json::object{{"messages", proto::messages_json_for(result.messages)},
                            {"pagination", json::object{{"page", page}, {"limit", limit}, {"hasMore", result.has_more}}}});
}

net::awaitable<response> messages_resource::send(request& r) {
    const auto body = body_object(r);
    chat::send_request req;
    req.conversation_id = r.params.at(0);
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
    co_return message_response(r, result.view, result.duplicate ? bhttp::status::ok : bhttp::status::created);
}

net::awaitable<response> messages_resource::mark_read(request& r) {
    const auto body = body_object(r);
    auto up_to = proto::optional_int(body, "upToSeq");
    auto message_id = proto::optional_string(body, "messageId");
    const std::string conversation_id = r.params.at(0);
    auto cursor = co_await await_reply<std::int64_t>(
        [&](auto done) { chat_.cursors().mark(r.who, conversation_id, up_to, message_id, true, std::move(done)); });
    co_return ok_response(r.raw, json::object{{"conversationId", conversation_id}, {"readUpToSeq", cursor}});
}

net::awaitable<response> messages_resource::edit(request& r) {
    const auto body = body_object(r);
    auto content = body.find("content");
    if (content == body.end()) throw api_error(error_code::bad_request, "content is required");
    const auto& c = proto::as_object(content->value(), "content");
    std::string text = proto::required_string(c, "text");
    auto view = co_await await_reply<message_view>(
        [&](auto done) { chat_.messages().edit_message(r.who, r.params.at(0), std::move(text), std::move(done)); });
    co_return message_response(r, view);
}

net::awaitable<response> messages_resource::remove(request& r) {
    auto view = co_await await_reply<message_view>(
        [&](auto done) { chat_.messages().delete_message(r.who, r.params.at(0), std::move(done)); });
    co_return message_response(r, view);
}

net::awaitable<response> messages_resource::add_reaction(request& r) {
    const auto body = body_object(r);
    std::string emoji = proto::required_string(body, "emoji");
    auto view = co_await await_reply<message_view>(
        [&](auto done) { chat_.messages().add_reaction(r.who, r.params.at(0), std::move(emoji), std::move(done)); });
    co_return message_response(r, view);
}

net::awaitable<response> messages_resource::remove_reaction(request& r) {
    auto view = co_await await_reply<message_view>(
        [&](auto done) { chat_.messages().remove_reaction(r.who, r.params.at(0), r.params.at(1), std::move(done)); });
    co_return message_response(r, view);
}

net::awaitable<response> messages_resource::thread(request& r) {
    const auto page = query_int(r, "page", 1, 1, 1'000'000);
    const auto limit = query_int(r, "limit", 50, 1, 200);
    auto t = chat_.messages().thread(r.who, r.params.at(0), static_cast<int>((page - 1) * limit), static_cast<int>(limit));
    co_return ok_response(r.raw, json::object{{"root", proto::message_json_for(t.root)},
                                              {"replies", proto::messages_json_for(t.replies)},
                                              {"pagination", json::object{{"page", page}, {"limit", limit}, {"hasMore", t.has_more}}}});
}

}  // namespace writeen::http

#include "http/ws_api.hpp"

#include <boost/json.hpp>
#include <chrono>

#include "http/error_mapping.hpp"
#include "model/clock.hpp"
#include "proto/events.hpp"
#include "proto/json.hpp"

namespace writeen::http {
namespace json = boost::json;

namespace {

using request_id_t = std::optional<json::value>;

std::string conversation_id_of(const json::object& data) { return proto::required_string(data, "conversationId"); }

}  // namespace

void ws_api::opened(const std::shared_ptr<ws_client>& client, bus::registered_handler registered) {
    metrics_.ws_connections_total.fetch_add(1, std::memory_order_relaxed);
    chat_.presence().connect(client, client->who(), std::move(registered));
}

void ws_api::closed(ws_client& client) { chat_.presence().disconnect(client, client.who()); }

void ws_api::binary_frame(ws_client& client) {
    send_error(client, error_code::bad_request, "binary frames are not part of the protocol; send JSON text frames",
               std::nullopt);
}

void ws_api::token_expired(ws_client& client) {
    send_error(client, error_code::unauthorized, "the token expired; reconnect with a fresh one", std::nullopt);
}

void ws_api::send_error(ws_client& client, error_code code, std::string_view message,
                        const request_id_t& request_id) {
    if (code == error_code::rate_limited) metrics_.rate_limited.fetch_add(1, std::memory_order_relaxed);
    client.deliver(proto::error_event(code, message, request_id));
}

void ws_api::send_failure(ws_client& client, std::exception_ptr e, const request_id_t& request_id) {
    const error_envelope envelope = envelope_of(e, "a WebSocket event of " + client.who().user_id);
    send_error(client, envelope.code, envelope.message, request_id);
}

void ws_api::frame(const std::shared_ptr<ws_client>& client, std::string_view text) {
    request_id_t request_id;
    try {
        const json::value parsed = proto::parse(text);
        if (!parsed.is_object()) throw api_error(error_code::bad_request, "a frame must be a JSON object");
        const auto& frame = parsed.get_object();
        if (auto it = frame.find("requestId"); it != frame.end() && (it->value().is_string() || it->value().is_number()))
            request_id = it->value();
        const auto event = proto::optional_string(frame, "event");
        if (!event) throw api_error(error_code::bad_request, "event is required");
        static const json::object empty;
        const json::object* data = &empty;
        if (auto it = frame.find("data"); it != frame.end() && !it->value().is_null())
            data = &proto::as_object(it->value(), "data");
        dispatch(client, *event, *data, request_id);
    } catch (...) {
        send_failure(*client, std::current_exception(), request_id);
    }
}

void ws_api::dispatch(const std::shared_ptr<ws_client>& client, std::string_view event, const json::object& data,
                      const request_id_t& request_id) {
    const auth::principal& who = client->who();
    if (event == "send_message") return send_message(client, data, request_id);
    if (event == "mark_read") return mark(client, data, request_id, true);
    if (event == "mark_delivered") return mark(client, data, request_id, false);
    if (event == "ping") {
        client->deliver(proto::pong_event(now_ms(), request_id));
        return;
    }
    if (event == "join_conversation") {
        const std::string id = conversation_id_of(data);
        auto info = chat_.presence().join(who, client, id);
        client->deliver(
            proto::joined_event(id, info.last_seq, info.last_change_seq, info.read_up_to_seq, request_id));
        return;
    }
    if (event == "leave_conversation") {
        const std::string id = conversation_id_of(data);
        chat_.presence().leave(*client, id);
        client->deliver(proto::left_event(id, request_id));
        return;
    }
    if (event == "typing") {
        const auto is_typing = proto::optional_bool(data, "isTyping");
        if (!is_typing) throw api_error(error_code::bad_request, "isTyping must be a boolean");
        chat_.presence().typing(who, conversation_id_of(data), *is_typing);
        return;
    }
    if (event == "set_presence") {
        chat_.presence().set_presence(who, proto::required_string(data, "status"));
        return;
    }
    if (event == "sync") {
        const std::string id = conversation_id_of(data);
        const auto after_seq = proto::optional_int(data, "afterSeq").value_or(0);
        const auto after_change = proto::optional_int(data, "afterChangeSeq");
        const auto limit = proto::optional_int(data, "limit").value_or(100);
        if (after_seq < 0 || (after_change && *after_change < 0))
            throw api_error(error_code::bad_request, "afterSeq and afterChangeSeq must not be negative");
        if (limit < 1 || limit > 500) throw api_error(error_code::bad_request, "limit must be from 1 to 500");
        auto result = chat_.cursors().sync(who, id, after_seq, after_change, static_cast<int>(limit));
        proto::sync_snapshot snapshot{.conversation_id = id,
                                      .messages = result.messages,
                                      .changes = result.changes,
                                      .read_cursors = {},
                                      .last_seq = result.last_seq,
                                      .last_change_seq = result.last_change_seq,
                                      .has_more = result.has_more};
        snapshot.read_cursors.reserve(result.read_cursors.size());
        for (const auto& c : result.read_cursors)
            snapshot.read_cursors.push_back({c.user_id, c.read_up_to_seq, c.delivered_up_to_seq});
        client->deliver(proto::sync_result_event(snapshot, request_id));
        return;
    }
    throw api_error(error_code::bad_request, "unknown event: " + std::string(event.substr(0, 64)));
}

void ws_api::send_message(const std::shared_ptr<ws_client>& client, const json::object& data,
                          const request_id_t& request_id) {
    const auto started = std::chrono::steady_clock::now();
    chat::send_request req;
    req.conversation_id = conversation_id_of(data);
    const std::string type = proto::optional_string(data, "type").value_or("text");
    auto parsed = proto::parse_message_type(type);
    if (!parsed) throw api_error(error_code::bad_request, "type must be text or sticker");
    req.type = *parsed;
    auto content = data.find("content");
    if (content == data.end() || content->value().is_null()) throw api_error(error_code::bad_request, "content is required");
    chat_.messages().validate_content(req, content->value());
    req.reply_to = proto::optional_string(data, "replyTo").value_or("");
    req.client_message_id = proto::optional_string(data, "clientMessageId").value_or("");
    if (req.client_message_id.empty()) throw api_error(error_code::bad_request, "clientMessageId is required");
    const std::string client_message_id = req.client_message_id;
    chat_.messages().send_message(client->who(), std::move(req), client->id(),
                       [this, client, request_id, client_message_id, started](std::exception_ptr e, chat::send_result r) {
                           if (e) return send_failure(*client, e, request_id);
                           if (!r.duplicate) metrics_.messages_in.fetch_add(1, std::memory_order_relaxed);
                           metrics_.ack_latency.observe(
                               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
                           if (r.message_json) {
                               client->deliver(proto::message_sent_event(client_message_id, *r.message_json, request_id));
                               return;
                           }
                           client->deliver(proto::message_sent_event(
                               client_message_id, proto::message_json_for(r.view), request_id));
                       });
}

void ws_api::mark(const std::shared_ptr<ws_client>& client, const json::object& data, const request_id_t& request_id,
                  bool read) {
    const std::string id = conversation_id_of(data);
    auto up_to = proto::optional_int(data, "upToSeq");
    auto message_id = proto::optional_string(data, "messageId");
    chat_.cursors().mark(client->who(), id, up_to, message_id, read,
               [this, client, request_id](std::exception_ptr e, std::int64_t) {
                   if (e) send_failure(*client, e, request_id);
               });
}

}  // namespace writeen::http

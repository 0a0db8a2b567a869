#pragma once
// JSON ⇄ domain types, envelopes and WebSocket frames. The only place that shapes the wire.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "model/types.hpp"
#include "proto/error.hpp"

namespace writeen::proto {

namespace json = boost::json;

std::string_view to_string(conversation_type t);
std::string_view to_string(message_type t);
std::optional<conversation_type> parse_conversation_type(std::string_view s);
std::optional<message_type> parse_message_type(std::string_view s);

/// The message object of API.md; editHistory only when the viewer may see it.
json::object message_json(const message_view& view, bool include_edit_history);
json::object conversation_json(const conversation_view& view);
json::object settings_json(const conversation_settings& s);
json::object user_json(const user_profile& u);

/// {"success":true,"data":...} with an optional human message.
std::string success_body(json::value data, std::string_view message = {});
/// {"success":false,"error":{code,message}}.
std::string error_body(error_code code, std::string_view message);
/// {"success":false,"error":{code,message},"data":...}: a failure that still reports (/readyz).
std::string error_body(error_code code, std::string_view message, json::value data);

/// {"event":...,"data":...,"requestId"?:...}, serialised once and shared by every recipient.
std::shared_ptr<const std::string> frame(std::string_view event, json::value data,
                                         const std::optional<json::value>& request_id = std::nullopt);

/// A frame whose data carries an already serialised message object next to `extra` fields:
/// {"event":E,"data":{...extra,"message":M},"requestId":R}. Lets one serialisation of a
/// message serve every frame that carries it (message_received, message_sent).
std::shared_ptr<const std::string> message_frame(std::string_view event, const std::string& message_json,
                                                 const json::object& extra = {},
                                                 const std::optional<json::value>& request_id = std::nullopt);

/// Parses text as a JSON value; throws api_error(bad_request) when malformed.
json::value parse(std::string_view text);

// Typed field access for request bodies: each throws api_error(bad_request) naming the field
// when present with the wrong type; the optional forms return nullopt when absent or null.
const json::object& as_object(const json::value& v, std::string_view what);
std::optional<std::string> optional_string(const json::object& o, std::string_view key);
std::string required_string(const json::object& o, std::string_view key);
std::optional<std::int64_t> optional_int(const json::object& o, std::string_view key);
std::optional<bool> optional_bool(const json::object& o, std::string_view key);

}  // namespace writeen::proto

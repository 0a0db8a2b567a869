#pragma once
// The WebSocket frames the server sends in answer to a client's event (API.md, "WebSocket
// /ws"), each serialised once with Boost.JSON. Broadcast frames (message_received, ...) are
// made by the chat service with proto::frame / proto::message_frame.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.hpp"
#include "model/clock.hpp"
#include "model/types.hpp"
#include "proto/error.hpp"

namespace writeen::proto {

namespace json = boost::json;

/// The `requestId` a client put on its frame, echoed on the answer.
using request_id = std::optional<json::value>;
/// A serialised frame, shared by every socket it goes to.
using frame_text = std::shared_ptr<const std::string>;

/// The message object as the viewer its view was made for may see it: the chat domain decided
/// whether the edit history shows (chat/access, may_see_edit_history).
json::object message_json_for(const message_view& view);
/// message_json_for of each view, in order.
json::array messages_json_for(const std::vector<message_view>& views);
/// `highlight {fragment, matches[[start, length]]}` of a search hit.
json::object highlight_json(const search_hit& hit);

/// `error {code, message, requestId?}`.
frame_text error_event(error_code code, std::string_view message, const request_id& id);
/// `pong {serverTime}`.
frame_text pong_event(unix_ms server_time, const request_id& id);
/// `joined {conversationId, lastSeq, lastChangeSeq, readUpToSeq}`.
frame_text joined_event(std::string_view conversation_id, std::int64_t last_seq, std::int64_t last_change_seq,
                        std::int64_t read_up_to_seq, const request_id& id);
/// `left {conversationId}`.
frame_text left_event(std::string_view conversation_id, const request_id& id);
/// `message_sent {clientMessageId, message}` with the message object.
frame_text message_sent_event(std::string_view client_message_id, json::object message, const request_id& id);
/// `message_sent` with an already serialised message object (shared with message_received).
frame_text message_sent_event(std::string_view client_message_id, const std::string& message_json,
                              const request_id& id);

/// One entry of `sync_result.readCursors`.
struct read_cursor_entry {
    std::string user_id;
    std::int64_t read_up_to_seq = 0;
    std::int64_t delivered_up_to_seq = 0;
};

/// What a `sync` answers, before it is shaped for its viewer.
struct sync_snapshot {
    std::string conversation_id;
    const std::vector<message_view>& messages;  ///< seq > afterSeq, ascending
    const std::vector<message_view>& changes;   ///< earlier messages changed since afterChangeSeq
    std::vector<read_cursor_entry> read_cursors;
    std::int64_t last_seq = 0;
    std::int64_t last_change_seq = 0;
    bool has_more = false;
};

/// `sync_result {conversationId, messages[], changes[{type, message}], readCursors[], lastSeq,
/// lastChangeSeq, hasMore}` as viewer may see it.
frame_text sync_result_event(const sync_snapshot& sync, const request_id& id);

}  // namespace writeen::proto

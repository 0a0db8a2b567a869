#include "proto/events.hpp"

#include "proto/json.hpp"

namespace writeen::proto {

json::object message_json_for(const message_view& view) { return message_json(view, view.edit_history_visible); }

json::array messages_json_for(const std::vector<message_view>& views) {
    json::array out;
    out.reserve(views.size());
    for (const auto& v : views) out.push_back(message_json_for(v));
    return out;
}

json::object highlight_json(const search_hit& hit) {
    json::array matches;
    for (const auto& [start, length] : hit.matches) matches.push_back(json::array{start, length});
    return json::object{{"fragment", hit.fragment}, {"matches", std::move(matches)}};
}

frame_text error_event(error_code code, std::string_view message, const request_id& id) {
    json::object data{{"code", to_string(code)}, {"message", message}};
    // In data as well as on the frame: clients written against the document read it there.
    if (id) data["requestId"] = *id;
    return frame("error", std::move(data), id);
}

frame_text pong_event(unix_ms server_time, const request_id& id) {
    return frame("pong", json::object{{"serverTime", format_time(server_time)}}, id);
}

frame_text joined_event(std::string_view conversation_id, std::int64_t last_seq, std::int64_t last_change_seq,
                        std::int64_t read_up_to_seq, const request_id& id) {
    return frame("joined",
                 json::object{{"conversationId", conversation_id},
                              {"lastSeq", last_seq},
                              {"lastChangeSeq", last_change_seq},
                              {"readUpToSeq", read_up_to_seq}},
                 id);
}

frame_text left_event(std::string_view conversation_id, const request_id& id) {
    return frame("left", json::object{{"conversationId", conversation_id}}, id);
}

frame_text message_sent_event(std::string_view client_message_id, json::object message, const request_id& id) {
    return frame("message_sent", json::object{{"clientMessageId", client_message_id}, {"message", std::move(message)}},
                 id);
}

frame_text message_sent_event(std::string_view client_message_id, const std::string& message_json,
                              const request_id& id) {
    return message_frame("message_sent", message_json, {{"clientMessageId", client_message_id}}, id);
}

frame_text sync_result_event(const sync_snapshot& sync, const request_id& id) {
    json::array changes;
    changes.reserve(sync.changes.size());
    for (const auto& v : sync.changes)
        changes.push_back(json::object{{"type", "message_updated"}, {"message", message_json_for(v)}});
    json::array cursors;
    cursors.reserve(sync.read_cursors.size());
    for (const auto& c : sync.read_cursors)
        cursors.push_back(json::object{{"userId", c.user_id},
                                       {"readUpToSeq", c.read_up_to_seq},
                                       {"deliveredUpToSeq", c.delivered_up_to_seq}});
    return frame("sync_result",
                 json::object{{"conversationId", sync.conversation_id},
                              {"messages", messages_json_for(sync.messages)},
                              {"changes", std::move(changes)},
                              {"readCursors", std::move(cursors)},
                              {"lastSeq", sync.last_seq},
                              {"lastChangeSeq", sync.last_change_seq},
                              {"hasMore", sync.has_more}},
                 id);
}

}  // namespace writeen::proto

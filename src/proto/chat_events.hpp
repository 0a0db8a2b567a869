#pragma once
// The server-to-client events of the chat domain (API.md, "WebSocket"), each serialised once
// and shared by every socket it goes to; and the fileInfo object of file messages.

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "model/types.hpp"

namespace writeen::proto {

using frame_ptr = std::shared_ptr<const std::string>;

/// user_presence: a user came online, went away or offline.
frame_ptr presence_event(const std::string& user_id, std::string_view status, unix_ms last_seen);
/// One user's state in a presence_digest.
struct presence_change {
    std::string user_id;
    std::string status;  // online | away | busy | offline
    unix_ms last_seen = 0;
};
/// presence_digest: the latest state of each member of a large conversation who changed since
/// the last digest, to the sockets viewing it (chat::presence).
frame_ptr presence_digest_event(const std::string& conversation_id, std::span<const presence_change> changes);
/// user_typing, to the sockets that joined the conversation.
frame_ptr typing_event(const std::string& conversation_id, const std::string& user_id, const std::string& user_name,
                       bool is_typing);
/// conversation_updated: what every participant shares (per-viewer fields come from the list).
frame_ptr conversation_updated_event(const conversation_view& view);
/// conversation_updated for one user's sockets only, carrying that user's own view (unreadCount,
/// isArchivedForMe); marked `personal: true` so a client takes those fields from it.
frame_ptr personal_conversation_updated_event(const conversation_view& view);
/// message_received of a message with no edit history yet.
frame_ptr message_received_event(const message_view& view);
/// message_updated, with or without the edit history (the viewer's right decides).
frame_ptr message_updated_event(const message_view& view, bool include_edit_history);
/// message_status for the sender of view.msg after a cursor move.
frame_ptr message_status_event(const message_view& view, std::int64_t change_seq);

/// content.fileInfo of API.md for a stored file (download and thumbnail URLs included).
boost::json::object file_info_json(const file_record& f, bool thumbnail);
/// Rewrites scanStatus, width and height of a message's content.fileInfo after its file
/// changed; false when the message no longer shows a file (deleted, or not a file message).
bool refresh_file_info(message& m, const file_record& f);

}  // namespace writeen::proto

#pragma once
// The one path by which a message enters a conversation, inside the writer's transaction:
// text, sticker, file and image messages from their sender, and system messages.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "auth/principal.hpp"
#include "model/types.hpp"
#include "store/store.hpp"

namespace writeen::chat {

/// A message its sender asked to post; content_json is already validated.
struct message_draft {
    message_type type = message_type::text;
    std::string content_json;
    std::string search_text;
    std::string reply_to;
    std::string client_message_id;
};

/// What posting a draft stored: the new message, or the one stored earlier under the same
/// clientMessageId (a retry: nothing new is stored and nothing is broadcast).
struct posted_message {
    message_view view;
    bool duplicate = false;
    std::vector<std::string> recipients;  // who receives message_received (new messages only)
    /// The message serialised once for every frame that carries it (set by the broadcast).
    std::shared_ptr<const std::string> message_json;
};

/// The caller's earlier message with this clientMessageId, if any, viewed in its conversation
/// as it is now. Empty client ids never match. A clientMessageId the caller already used in
/// another conversation than conversation_id fails conflict: answering that other message would
/// make the client drop its new one as delivered.
std::optional<message_view> find_retry(store::reader& r, const auth::principal& who, const std::string& client_message_id,
                                       const std::string& conversation_id);

/// Stores the draft as c's next message from `who` (c must allow them to write: see access).
/// A retry (the caller's clientMessageId already stored, by this node or another) is answered
/// with the stored message (find_retry: conflict when it is in another conversation). The store
/// detects it on the insert, so a new message costs no look-up first (a reply: the look-up of
/// its target; when that is gone, a retry is still answered before not_found).
posted_message post_message(store::transaction& tx, const conversation& c, const auth::principal& who,
                            const message_draft& draft);

/// Stores a `system` message about `subject` (a join, a leave, a session step) with c's next seq.
/// Like every message, it carries c's open session, if any.
message post_system_message(store::transaction& tx, const conversation& c, const std::string& subject,
                            std::string_view action, boost::json::object data, unix_ms now);

}  // namespace writeen::chat

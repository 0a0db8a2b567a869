#pragma once
// Plain domain records shared by the store, the chat service, the hub and the JSON layer.
// No behaviour and no I/O: every module may include this header.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace writeen {

/// Milliseconds since the Unix epoch, UTC: the one time representation inside the server.
using unix_ms = std::int64_t;

enum class role { student, tutor, admin, service };
enum class conversation_type { direct, consultation, group };
enum class message_type { text, file, image, system, sticker };

/// What the latest token said about a user; kept to show sender names and avatars.
struct user_profile {
    std::string id;
    std::string name;
    std::string avatar;
    writeen::role role = role::student;
    unix_ms last_seen = 0;
};

/// Per-conversation settings, with the defaults of API.md.
struct conversation_settings {
    bool allow_file_upload = true;
    std::int64_t max_file_size = 10 * 1024 * 1024;
    std::vector<std::string> allowed_file_types{".pdf", ".docx", ".pptx", ".txt",
                                                ".jpg", ".jpeg", ".png", ".gif"};
    bool auto_archive = false;
    int retention_days = 365;
};

/// A user's membership of a conversation, with their read and delivered cursors.
struct participant {
    std::string user_id;
    writeen::role role = role::student;
    unix_ms joined_at = 0;
    std::optional<unix_ms> left_at;  // set while the user has left; the history stays readable
    std::vector<std::string> permissions{"read", "write", "upload", "download"};
    std::string name;    // from users, filled by reads
    std::string avatar;  // from users, filled by reads
    std::int64_t read_up_to_seq = 0;
    std::int64_t delivered_up_to_seq = 0;  // never below read_up_to_seq
    // Set while the user keeps the conversation in their own archive: the newest seq when they
    // archived it; a newer message brings it back (see archived_for()).
    std::optional<std::int64_t> hidden_up_to_seq;

    bool active() const { return !left_at.has_value(); }
    bool can(std::string_view permission) const {
        for (const auto& p : permissions)
            if (p == permission) return true;
        return false;
    }
};

struct conversation {
    std::string id;
    conversation_type type = conversation_type::direct;
    std::string title;
    std::string consultation_id;
    std::vector<participant> participants;
    conversation_settings settings;
    bool archived = false;
    std::optional<unix_ms> archived_at;
    std::string created_by;
    std::string open_session_id;       // the chat session open now (consultations); empty: none
    std::int64_t last_seq = 0;         // seq of the newest message (0: none yet)
    std::int64_t last_change_seq = 0;  // changeSeq of the newest durable change
    unix_ms created_at = 0;
    unix_ms updated_at = 0;  // newest activity: drives the list order

    const participant* find_participant(std::string_view user_id) const {
        for (const auto& p : participants)
            if (p.user_id == user_id) return &p;
        return nullptr;
    }
};

struct reaction {
    std::string user_id;
    std::string emoji;
    unix_ms added_at = 0;
};

struct edit_record {
    unix_ms edited_at = 0;
    std::string previous_text;
    std::string edited_by;
};

/// When a user's cursor first covered a message: one element of readBy / deliveredTo.
struct receipt {
    std::string user_id;
    unix_ms at = 0;
};

struct message {
    std::string id;
    std::string conversation_id;
    std::int64_t seq = 0;
    std::string sender_id;
    message_type type = message_type::text;
    std::string content_json = "{}";  // the `content` object as JSON text; "{}" once deleted
    std::string search_text;          // what full-text search indexes (text, file name)
    std::string reply_to;             // empty: not a reply
    std::int64_t reply_count = 0;
    std::vector<reaction> reactions;
    std::vector<edit_record> edit_history;
    bool edited = false;
    std::string client_message_id;
    std::string consultation_id;
    std::string session_id;
    unix_ms created_at = 0;
    unix_ms updated_at = 0;
    std::optional<unix_ms> deleted_at;
    std::int64_t created_change_seq = 0;  // the conversation's changeSeq when it was stored
    std::int64_t change_seq = 0;          // the conversation's changeSeq of its latest change
    // Filled by reads (never written): sender profile.
    std::string sender_name;
    std::string sender_avatar;
};

/// One move of a user's read or delivered cursor, kept so readBy/deliveredTo can say when.
struct cursor_mark {
    std::string user_id;
    std::int64_t up_to_seq = 0;
    unix_ms at = 0;
};

/// A search result: the message and a fragment of its text with the matched ranges.
struct search_hit {
    message msg;
    std::string fragment;  // UTF-8
    std::vector<std::pair<int, int>> matches;  // [start, length] in UTF-16 code units of fragment
};

}  // namespace writeen

namespace writeen {

/// A message as one viewer group sees it: the stored record plus what is derived from the
/// conversation's cursors (status as seen by the sender, readBy, deliveredTo).
struct message_view {
    message msg;
    std::string status = "sent";  // sent | delivered | read
    std::vector<receipt> read_by;
    std::vector<receipt> delivered_to;
    /// Whether the viewer this view was made for may see msg.edit_history (see chat/access).
    bool edit_history_visible = true;
};

/// A conversation as one user sees it in their list.
struct conversation_view {
    conversation conv;
    std::optional<message> last_message;
    std::int64_t unread_count = 0;
    bool is_online = false;  // any other participant has a socket open
    bool archived_for_me = false;  // in the viewer's own archive (per viewer, like unread_count)
};

}  // namespace writeen

namespace writeen {

/// One uploaded file: what the upload said and what the pipeline found. The bytes live in the
/// blob store under blob_key, shared by every file with the same sha256.
struct file_record {
    std::string id;
    std::string conversation_id;
    std::string message_id;
    std::string uploader_id;
    std::string file_name;    // sanitised original name (metadata only, never a path)
    std::int64_t size = 0;    // bytes
    std::string mime;         // from the content, not from the client
    std::string sha256;       // lowercase hex of the content
    std::string blob_key;
    std::string scan_status = "pending";  // pending | scanning | clean | infected | error | unscanned
    std::optional<std::int64_t> width;    // images, once measured
    std::optional<std::int64_t> height;
    unix_ms created_at = 0;
};

}  // namespace writeen

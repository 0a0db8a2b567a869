#pragma once
// Records of the consultation side of the chat: what the consultation service confirmed, the
// chat sessions of a consultation, outbox notifications and transcript signing keys. Plain data,
// like model/types.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/types.hpp"

namespace writeen {

/// What the consultation service last confirmed for a consultation (PUT .../chat).
struct consultation_record {
    std::string consultation_id;
    std::string conversation_id;
    std::string title;
    std::string tutor_id;
    std::vector<std::string> student_ids;
    unix_ms scheduled_start = 0;
    unix_ms scheduled_end = 0;
    std::optional<unix_ms> cancelled_at;  // set once DELETE .../chat was called
    unix_ms created_at = 0;
    unix_ms updated_at = 0;
};

/// One chat session: from its consultation_started message to its summary message.
struct chat_session {
    std::string id;
    std::string conversation_id;
    std::string consultation_id;
    std::string session_type = "consultation";
    unix_ms start_time = 0;
    std::optional<unix_ms> end_time;  // unset while open
    std::int64_t first_seq = 0;       // seq of its consultation_started message
    std::int64_t last_seq = 0;        // seq of its summary message; 0 while open
    std::string session_notes;
    /// {participants, summary, analytics} as computed when it ended (JSON text); empty while open.
    std::string summary_json;
    // Filled by reads: the participants' ratings.
    std::int64_t rating_count = 0;
    double rating_sum = 0;

    bool open() const { return !end_time.has_value(); }
};

/// One participant's activity in a session: first and last message, how many, how many files.
struct participant_activity {
    std::string user_id;
    std::optional<unix_ms> joined_at;
    std::optional<unix_ms> left_at;
    std::int64_t message_count = 0;
    std::int64_t files_shared = 0;
};

/// What a session's messages add up to (chat/session_summary computes it when the session ends).
struct session_summary {
    std::vector<participant_activity> participants;
    std::int64_t total_messages = 0;
    std::int64_t files_shared = 0;
    std::vector<std::string> key_topics;    // most characteristic first
    std::vector<std::string> action_items;  // given at the end first, then found in the text
    std::optional<double> response_time;    // mean seconds to the other side's next message
    std::optional<double> engagement;       // messages per minute of the session
};

/// A row of the notification outbox, written with the change that causes it.
struct outbox_notification {
    std::string id;
    std::string user_id;
    std::string kind;  // consultation_invite | consultation_rescheduled | consultation_cancelled
    std::string conversation_id;
    std::string payload_json;
    unix_ms created_at = 0;
    unix_ms due_at = 0;
};

/// A public key that signs (or signed) transcripts.
struct transcript_key {
    std::string key_id;
    std::string public_key_pem;
    unix_ms created_at = 0;
};

}  // namespace writeen

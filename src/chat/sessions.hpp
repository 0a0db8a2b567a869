#pragma once
// What participants read and do about a conversation's chat sessions: the list with summaries,
// ratings after a session ended, and the body of a session's transcript (sealed and signed by
// transcripts/, outside the chat domain).

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "auth/principal.hpp"
#include "chat/writer.hpp"
#include "model/consultation_types.hpp"
#include "store/store.hpp"

namespace writeen::chat {

class sessions {
public:
    explicit sessions(writer& w) : writer_(w), db_(w.database()) {}

    /// The conversation's sessions, newest first (participants only; else not_found).
    std::vector<chat_session> list(const auth::principal& who, const std::string& conversation_id);
    /// Stores the caller's rating (1..5) of an ended session, replacing theirs; answers the
    /// session. not_found for non-participants, conflict while the session is open.
    void rate(const auth::principal& who, const std::string& session_id, int rating, std::string comment,
              reply<chat_session> done);
    /// {conversationId, consultationId, session, participants[], messages[]} of an ended
    /// session, messages in seq order as stored (participants and the consultation service).
    boost::json::object transcript_body(const auth::principal& who, const std::string& session_id);
    /// Every key that ever signed transcripts.
    std::vector<transcript_key> transcript_keys();
    /// Records the key that signs transcripts from now on (at start-up; waits for the commit).
    void register_transcript_key(const transcript_key& key);

private:
    writer& writer_;
    store::database& db_;
};

}  // namespace writeen::chat

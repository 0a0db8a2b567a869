#pragma once
// The pieces each consultation step is made of, run inside the writer's transaction: its
// system messages, its outbox notifications, and the closing of a session with its summary.
// Internal to chat/consultations and chat/sessions.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "chat/session_summary.hpp"
#include "model/consultation_types.hpp"
#include "model/types.hpp"
#include "store/store.hpp"

namespace writeen::chat {

/// What one consultation step changed, gathered inside its work for the answer and the
/// broadcast (which only send).
struct consultation_change {
    conversation conv;                     // after the step
    bool changed = false;                  // false: a retry, nothing stored or sent
    bool created = false;                  // the conversation was made by this step
    std::vector<message_view> posted;      // system messages, in seq order
    std::vector<std::string> notify;       // who hears them and conversation_updated
    std::vector<std::string> former_ones;  // left with this step: told of the conversation too
    conversation_view shared;              // conversation_updated
    conversation_view answer;              // for the caller
    chat_session session;                  // start, end: the session answered
};

/// Posts a system message of the step into c (with c's open session) and records it in out.
void post_step_message(store::transaction& tx, const conversation& c, const std::string& subject,
                       std::string_view action, boost::json::object data, unix_ms now, consultation_change& out);

/// Queues a `kind` notification about c for each of users, in the same transaction.
void queue_notifications(store::transaction& tx, const conversation& c, const consultation_record& consultation,
                         std::string_view kind, const std::vector<std::string>& users, unix_ms now);

/// Term counts of the conversation's history before first_seq, at most background_messages of
/// it, streamed: what keyTopics measures a session starting at first_seq against.
term_counts background_of(store::reader& r, const std::string& conversation_id, std::int64_t first_seq);

/// Closes c's open session s now: streams its messages into the summary, posts the
/// consultation_ended message carrying the summary, stores the session closed and clears c's
/// open session (c is updated). background: term counts for s (null: read them here).
void close_session(store::transaction& tx, conversation& c, chat_session& s, const std::string& subject,
                   const term_counts* background, const std::optional<std::string>& session_notes,
                   std::vector<std::string> action_items, unix_ms now, consultation_change& out);

/// Archives c (read-only) if it is not, bumping its change counter.
void archive(store::transaction& tx, conversation& c, unix_ms now);

}  // namespace writeen::chat

#pragma once
// The chat side of a consultation, driven by the Writeen consultation service (`role: service`
// tokens only): confirming (and re-confirming) it, starting and ending its chat sessions, and
// cancelling it. Each step is one writer work holding its system messages, its
// conversation_updated broadcast and its outbox notifications; a retried step changes nothing.

#include <optional>
#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "chat/writer.hpp"
#include "hub/hub.hpp"
#include "model/consultation_types.hpp"
#include "model/types.hpp"
#include "store/store.hpp"

namespace writeen::chat {

/// PUT /api/consultations/:id/chat, validated by the caller except for what needs the store.
struct consultation_request {
    std::string title;
    std::string tutor_id;
    std::vector<std::string> student_ids;  // distinct, without the tutor
    unix_ms scheduled_start = 0;
    unix_ms scheduled_end = 0;
    /// Names, avatars and roles of users the chat may not have seen yet (participants[]).
    std::vector<user_profile> profiles;
};

/// POST /api/consultations/:id/end.
struct end_request {
    std::optional<std::string> session_notes;
    std::vector<std::string> action_items;
};

/// The answer of confirm and cancel.
struct confirmed_consultation {
    conversation_view conversation;
    bool created = false;
};

struct consultation_change;

class consultations {
public:
    consultations(writer& w, hub::hub& hub) : writer_(w), db_(w.database()), hub_(hub) {}

    /// Creates the consultation's conversation (consultation_confirmed, invites), or updates it
    /// when title, schedule or participants changed (consultation_rescheduled, user_joined,
    /// user_left, invites to the new participants); an identical call changes nothing.
    void confirm(const auth::principal& who, const std::string& consultation_id, consultation_request request,
                 reply<confirmed_consultation> done);
    /// Opens a session (consultation_started), or answers the open one.
    void start(const auth::principal& who, const std::string& consultation_id, reply<chat_session> done);
    /// Closes the open session with its summary (consultation_ended), archiving the conversation
    /// when settings.autoArchive; with none open, answers the latest ended one unchanged, or
    /// conflict when there never was one.
    void end(const auth::principal& who, const std::string& consultation_id, end_request request,
             reply<chat_session> done);
    /// consultation_cancelled: ends an open session, archives the conversation (history kept)
    /// and notifies the participants; a second call answers the conversation unchanged.
    void cancel(const auth::principal& who, const std::string& consultation_id, reply<confirmed_consultation> done);

private:
    /// The consultation as stored now (not_found when unknown): its conversation id lets the
    /// writer keep that conversation out of the cache while the step is in flight.
    consultation_record find(const std::string& consultation_id);
    void broadcast(const consultation_change& out);

    writer& writer_;
    store::database& db_;
    hub::hub& hub_;
};

/// Throws forbidden unless `who` is the consultation service.
void require_service(const auth::principal& who);

}  // namespace writeen::chat
